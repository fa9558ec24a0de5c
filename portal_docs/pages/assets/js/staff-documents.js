/*
 * The office's documents, each a page of the console printed on A4 (staff.css, @media print):
 * - #notice=NUMBER, the handling notice (投诉处理通知单) for the responsible department: the case's
 *   dates, category, priority, department and limits, a summary the officer writes on the page
 *   (printed, not kept), and the signature lines; no complainant identity;
 * - #form=NUMBER, the registration form (客户投诉登记表) for the complainant to check and sign:
 *   every field as registered (the identity only for those who may see it);
 * - #receipt, the receipt (回执) for a visitor or a letter-writer, right after registering: the
 *   access code is shown once and never kept, so it lives only in this page's memory, never in the
 *   address.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  if (!sc) {
    return;
  }
  var P = sc.P;
  var t = sc.t;
  var $ = sc.$;
  var KINDS = ["notice", "form", "receipt"];
  var counter = 0;
  var summary = $("sc-doc-notice-summary");
  sc.sections.document = $("sc-document");

  function setRow(article, name, value) {
    var row = article.querySelector('[data-doc-row="' + name + '"]');
    if (!row) {
      return;
    }
    var text = value === null || value === undefined ? "" : String(value);
    row.querySelector("td").textContent = text;
    row.hidden = text === "";
  }

  function deadline(c, kind) {
    var list = Array.isArray(c.deadlines) ? c.deadlines : [];
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].kind === kind) {
        return P.formatDateTime(list[i].due_at);
      }
    }
    return "";
  }

  /* When the case went to its department: its acceptance, or its last transfer. */
  function routedAt(c) {
    var events = Array.isArray(c.history) ? c.history : [];
    for (var i = events.length - 1; i >= 0; i -= 1) {
      if (events[i].action === "accept" || events[i].action === "transfer") {
        return P.formatDateTime(events[i].at);
      }
    }
    return "";
  }

  function registeredBy(c) {
    var events = Array.isArray(c.history) ? c.history : [];
    var first = events[0];
    return first && first.action === "register" && first.actor ? String(first.actor.name || "") : "";
  }

  function show(kind, heading, backHash) {
    sc.show("document");
    sc.showNotice("");
    KINDS.forEach(function (name) {
      $("sc-doc-" + name).hidden = name !== kind;
    });
    $("sc-document-unavailable").hidden = true;
    $("sc-document-print").hidden = false;
    sc.setText("sc-document-heading", heading);
    sc.setText("sc-document-hint", t("staff.documents.print_hint"));
    $("sc-document-back").setAttribute("href", backHash);
    document.title = heading + " - " + sc.originalTitle;
  }

  function unavailable(message) {
    KINDS.forEach(function (name) {
      $("sc-doc-" + name).hidden = true;
    });
    $("sc-document-print").hidden = true;
    sc.setText("sc-document-hint", "");
    $("sc-document-unavailable").textContent = message;
    $("sc-document-unavailable").hidden = false;
  }

  function fillNotice(c) {
    var article = $("sc-doc-notice");
    setRow(article, "tracking_no", c.tracking_no);
    setRow(article, "received", P.formatDateTime(c.submitted_at));
    setRow(article, "routed", routedAt(c));
    setRow(article, "category", sc.codeLabel(c.category));
    setRow(article, "priority", c.priority ? sc.codeLabel(c.priority) : "");
    setRow(article, "department", c.department ? sc.codeLabel(c.department) : t("staff.queue.unassigned"));
    setRow(article, "report_due", deadline(c, "report"));
    setRow(article, "respond_due", deadline(c, "respond"));
    setRow(article, "attend_due", deadline(c, "attend"));
    summary.value = c.subject || "";
    sc.setText("sc-doc-notice-summary-text", summary.value);
    sc.setText("sc-doc-notice-officer", sc.state.who ? sc.state.who.name : "");
  }

  function fillForm(c) {
    var article = $("sc-doc-form");
    var person = c.complainant || {};
    var d = c.details || {};
    setRow(article, "tracking_no", c.tracking_no);
    setRow(article, "channel", sc.codeLabel(c.channel));
    setRow(article, "received", P.formatDateTime(c.submitted_at));
    setRow(article, "complainant_type", sc.codeLabel(person.type));
    setRow(article, "anonymous", person.anonymous ? t("staff.case.yes") : t("staff.case.no"));
    ["name", "organization", "credit_code", "phone", "email"].forEach(function (name) {
      setRow(article, name, person[name]);
    });
    setRow(article, "preferred_language", sc.languageLabels[person.preferred_language] || person.preferred_language);
    setRow(article, "category", sc.codeLabel(c.category));
    setRow(article, "subject", d.subject);
    setRow(article, "description", d.description);
    setRow(article, "location", d.location);
    setRow(article, "occurred_on", d.occurred_on ? P.formatDate(d.occurred_on) : "");
    setRow(article, "desired_outcome", d.desired_outcome);
    setRow(article, "claim_amount", d.claim_amount ? "¥ " + d.claim_amount : "");
    $("sc-doc-form-redacted").hidden = !person.redacted;
    sc.setText("sc-doc-form-officer", registeredBy(c) || (sc.state.who ? sc.state.who.name : ""));
  }

  /* The notice or the registration form of a case, read afresh (a view of the case, logged). */
  sc.openDocument = function (kind, number) {
    var heading = t("staff.documents." + kind + ".title");
    show(kind, heading, "#case=" + encodeURIComponent(number));
    $("sc-doc-" + kind).hidden = true;
    var mine = ++counter;
    sc.loading.textContent = t("staff.loading");
    sc.api("GET", "/admin/complaints/" + encodeURIComponent(number)).then(function (response) {
      if (mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status !== 200 || !response.body || !response.body.tracking_no) {
        unavailable(response.status === 404 ? t("staff.case.not_found", { no: number }) : sc.errorMessage(response));
        return;
      }
      var c = response.body;
      sc.setText("sc-document-heading", heading + " " + c.tracking_no);
      if (kind === "notice") {
        fillNotice(c);
      } else {
        fillForm(c);
      }
      $("sc-doc-" + kind).hidden = false;
      P.focus($("sc-document-heading"));
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      unavailable(t("staff.error.network"));
    });
  };

  /* The receipt of the complaint registered last in this page (staff-register.js keeps it). */
  sc.openReceipt = function () {
    var receipt = sc.state.lastReceipt;
    show("receipt", t("staff.documents.receipt.title"), "#register");
    if (!receipt) {
      unavailable(t("staff.documents.unavailable_receipt"));
      P.focus($("sc-document-heading"));
      return;
    }
    var article = $("sc-doc-receipt");
    setRow(article, "tracking_no", receipt.tracking_no);
    setRow(article, "access_code", receipt.access_code);
    setRow(article, "received", P.formatDateTime(receipt.submitted_at));
    setRow(article, "reply_due", P.formatDateTime(receipt.reply_due_at));
    sc.setText("sc-doc-receipt-next", P.pick(receipt.next_steps));
    var statusUrl = window.location.origin + window.location.pathname.replace(/staff\/?(index\.html)?$/, "status/");
    sc.setText("sc-doc-receipt-status-url", statusUrl);
    sc.setText("sc-doc-receipt-officer", sc.state.who ? sc.state.who.name : "");
    sc.setText("sc-doc-receipt-date", P.formatDate(P.todayInBeijing()));
    P.focus($("sc-document-heading"));
  };

  /* The links to a case's documents, on its page. */
  sc.linkDocuments = function (c) {
    var number = encodeURIComponent(String(c.tracking_no));
    $("sc-case-notice-link").setAttribute("href", "#notice=" + number);
    $("sc-case-form-link").setAttribute("href", "#form=" + number);
  };

  // What the officer writes is printed as text (a textarea prints cut off at its size).
  summary.addEventListener("input", function () {
    sc.setText("sc-doc-notice-summary-text", summary.value);
  });

  $("sc-document-print").addEventListener("click", function () {
    window.print();
  });
})();
