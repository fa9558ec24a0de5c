/*
 * The complaint form, enhanced. Without this script the form is a plain POST to the API.
 * With it: conditional fields; "Continue" has the API check the answers first (a dry run, which
 * files nothing) so that every mistake is shown GOV.UK-style before anything else; then a "check
 * your answers" step; a JSON POST with an Idempotency-Key made once per form (a new one only after
 * a definite answer); and the confirmation shown in the page.
 */
(function () {
  "use strict";

  var form = document.getElementById("complaint-form");
  var P = window.Portal;
  if (!form || !P || !window.fetch) {
    return;
  }
  var t = P.t;
  var el = P.el;

  var summary = document.getElementById("error-summary");
  var summaryList = document.getElementById("error-summary-list");
  var check = document.getElementById("check-answers");
  var checkList = document.getElementById("check-list");
  var checkTitle = document.getElementById("check-title");
  var confirmButton = document.getElementById("confirm-submit");
  var backButton = document.getElementById("check-back");
  var sending = document.getElementById("sending");
  var confirmation = document.getElementById("confirmation");
  var submitButton = document.getElementById("complaint-submit");
  var checking = document.getElementById("checking");
  var enterpriseDetails = document.getElementById("enterprise-details");
  var contactDetails = document.getElementById("contact-details");
  var claimGroup = document.getElementById("group-claim_amount");
  var occurredOn = document.getElementById("cf-occurred_on");

  // One key per complaint: retries and double clicks of the same answers file one complaint.
  var idempotencyKey = P.uuid();
  var inFlight = false;
  var checkInFlight = false;
  var originalTitle = document.title;

  submitButton.textContent = submitButton.getAttribute("data-continue") || submitButton.textContent;
  if (occurredOn) {
    occurredOn.max = P.todayInBeijing();
  }

  // ------------------------------------------------------------------ reading the form

  function field(name) {
    return form.elements.namedItem(name);
  }

  function value(name) {
    var control = field(name);
    if (!control) {
      return "";
    }
    if (control instanceof RadioNodeList) {
      return control.value || "";
    }
    if (control.type === "checkbox") {
      return control.checked;
    }
    return String(control.value || "").trim();
  }

  function selectedOption(name) {
    var control = field(name);
    return control && control.options ? control.options[control.selectedIndex] : null;
  }

  function complainantType() {
    return value("complainant_type") || "individual";
  }

  function isAnonymous() {
    return value("anonymous") === true;
  }

  function isClaim() {
    var option = selectedOption("category");
    return Boolean(option && option.getAttribute("data-claim") === "true");
  }

  /* The visible text of a field's label (or legend), without the "(optional)" marker. */
  function labelOf(name) {
    var group = form.querySelector('[data-field="' + name + '"]');
    if (!group) {
      return name;
    }
    var label = group.querySelector("legend, label");
    var copy = label.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".pf-optional"), function (node) {
      node.parentNode.removeChild(node);
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  /* Which fields apply to the current answers, in the order of the form. */
  function applicableFields() {
    var names = ["complainant_type", "anonymous"];
    if (!isAnonymous()) {
      names.push("name", "phone", "email");
    }
    names.push("preferred_language");
    // Anonymous complaints carry no identity at all, an enterprise's included.
    if (complainantType() === "enterprise" && !isAnonymous()) {
      names.push("organization", "credit_code");
    }
    names.push("category", "subject", "description", "location", "occurred_on", "desired_outcome");
    if (isClaim() && claimGroup) {
      names.push("claim_amount");
    }
    names.push("consent");
    return names;
  }

  /* The JSON body: empty fields left out, booleans as true/false, the amount as a string. */
  function payload() {
    var body = {};
    applicableFields().forEach(function (name) {
      var v = value(name);
      if (typeof v === "boolean") {
        body[name] = v;
      } else if (v !== "") {
        body[name] = v;
      }
    });
    return body;
  }

  function displayValue(name) {
    var v = value(name);
    if (typeof v === "boolean") {
      return v ? t("check.yes") : t("check.no");
    }
    if (v === "") {
      return t("check.empty");
    }
    if (name === "complainant_type") {
      var radio = form.querySelector('input[name="complainant_type"]:checked');
      var label = radio && form.querySelector('label[for="' + radio.id + '"]');
      return label ? label.textContent.trim() : v;
    }
    if (name === "category" || name === "preferred_language") {
      var option = selectedOption(name);
      return option ? option.textContent.trim() : v;
    }
    if (name === "occurred_on") {
      return P.formatDate(v);
    }
    if (name === "claim_amount") {
      return "¥ " + v;
    }
    return v;
  }

  /* The element to focus for a field (the first radio of a group). */
  function controlOf(name) {
    var control = field(name);
    if (control instanceof RadioNodeList) {
      return control[0];
    }
    return control;
  }

  // ------------------------------------------------------------------ conditional parts

  function setHidden(node, hidden) {
    if (node) {
      node.hidden = hidden;
    }
  }

  function updateConditional() {
    setHidden(enterpriseDetails, complainantType() !== "enterprise" || isAnonymous());
    setHidden(contactDetails, isAnonymous());
    setHidden(claimGroup, !isClaim());
  }

  form.addEventListener("change", updateConditional);
  updateConditional();

  // ------------------------------------------------------------------ steps

  var intro = document.getElementById("page-intro");

  function show(step) {
    // The page's introduction belongs to the form; the other steps have headings of their own.
    if (intro) {
      intro.hidden = step !== "form";
    }
    form.hidden = step !== "form";
    check.hidden = step !== "check";
    confirmation.hidden = step !== "done";
  }

  function scrollToTop() {
    window.scrollTo(0, 0);
  }

  function focusField(name) {
    show("form");
    var control = controlOf(name);
    if (control) {
      var group = form.querySelector('[data-field="' + name + '"]');
      control.focus();
      if (group && group.scrollIntoView) {
        group.scrollIntoView({ block: "center" });
      }
    }
  }

  function buildCheck() {
    P.clear(checkList);
    applicableFields().forEach(function (name) {
      var change = el("a", { className: "pf-link", attrs: { href: "#cf-" + name } }, [
        t("common.change"),
        el("span", { className: "pf-visually-hidden", text: " " + labelOf(name) })
      ]);
      change.addEventListener("click", function (event) {
        event.preventDefault();
        focusField(name);
      });
      var key = name === "consent" ? document.querySelector("#section-consent legend").textContent.trim() : labelOf(name);
      checkList.appendChild(el("div", { className: "pf-summary__row" }, [
        el("dt", { className: "pf-summary__key", text: key }),
        el("dd", { className: "pf-summary__value pf-summary__value--pre", text: displayValue(name) }),
        el("dd", { className: "pf-summary__actions" }, [change])
      ]));
    });
  }

  function showCheck() {
    // Errors of an earlier try are answered now: none may stay above (or beside) the answers.
    clearErrors();
    buildCheck();
    show("check");
    scrollToTop();
    P.focus(checkTitle);
  }

  function finishChecking() {
    checkInFlight = false;
    submitButton.disabled = false;
    submitButton.removeAttribute("aria-disabled");
    checking.textContent = "";
  }

  /*
   * "Continue": the API checks the answers by its own rules and files nothing. Only answers it
   * accepts reach "check your answers". Without an answer (offline, server down) the person stays
   * on the form and is told: the submission itself needs the same connection, so going on would
   * only move the failure one step later.
   */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (checkInFlight) {
      return;
    }
    checkInFlight = true;
    submitButton.disabled = true;
    submitButton.setAttribute("aria-disabled", "true");
    checking.textContent = t("form.checking");
    var phone = P.contacts.phone || "";
    P.request("POST", "/complaints?dry_run=true", { json: payload() }).then(function (response) {
      finishChecking();
      var error = P.apiError(response.body);
      if (response.status === 200 && response.body && response.body.valid === true) {
        showCheck();
      } else if (response.status === 400) {
        showErrors(error.fields || {}, error.message || t("common.server_error", { status: 400, phone: phone }));
      } else {
        showErrors({}, error.message || t("common.server_error", { status: response.status, phone: phone }));
      }
    }, function () {
      finishChecking();
      showErrors({}, t("common.network_error", { phone: phone }));
    });
  });

  backButton.addEventListener("click", function () {
    show("form");
    submitButton.focus();
  });

  // ------------------------------------------------------------------ errors

  function clearErrors() {
    summary.hidden = true;
    P.clear(summaryList);
    P.clearFieldErrors(form);
    document.title = originalTitle;
  }

  function markField(name, message) {
    var group = form.querySelector('[data-field="' + name + '"]');
    var slot = document.getElementById("cf-" + name + "-error");
    if (!group || !slot) {
      return false;
    }
    // A field the server complains about must be visible, even if the form had hidden it.
    var hiddenParent = group.closest("[hidden]");
    if (hiddenParent && hiddenParent !== form) {
      hiddenParent.hidden = false;
    }
    P.markFieldError(group, slot, form.querySelectorAll('[name="' + name + '"]'), message);
    return true;
  }

  /* Shows the GOV.UK-style summary (focused) and a message beside each field; answers are kept. */
  function showErrors(fields, generalMessage) {
    clearErrors();
    show("form");
    var names = Object.keys(fields || {});
    // The summary lists errors in the order of the form, then any others.
    var order = Array.prototype.map.call(form.querySelectorAll("[data-field]"), function (group) {
      return group.getAttribute("data-field");
    });
    names.sort(function (a, b) {
      var ia = order.indexOf(a);
      var ib = order.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
    if (generalMessage && !names.length) {
      summaryList.appendChild(el("li", { text: generalMessage }));
    }
    names.forEach(function (name) {
      var message = String(fields[name]);
      if (markField(name, message)) {
        var link = el("a", { attrs: { href: "#" + controlOf(name).id }, text: message });
        link.addEventListener("click", function (event) {
          event.preventDefault();
          focusField(name);
        });
        summaryList.appendChild(el("li", {}, [link]));
      } else {
        summaryList.appendChild(el("li", { text: message }));
      }
    });
    summary.hidden = false;
    document.title = t("common.error_prefix") + " " + originalTitle;
    scrollToTop();
    summary.focus();
  }

  // ------------------------------------------------------------------ confirmation

  function grouped(code) {
    var text = String(code || "");
    return /[-\s]/.test(text) ? text : text.replace(/(.{4})(?=.)/g, "$1-");
  }

  function showConfirmation(body) {
    clearErrors();
    var trackingNo = String(body.tracking_no || "");
    document.getElementById("done-tracking-no").textContent = grouped(trackingNo);
    document.getElementById("done-access-code").textContent = grouped(body.access_code);
    document.getElementById("done-status").textContent = P.pick(body.status_label) || String(body.status || "");
    document.getElementById("done-submitted-at").textContent = P.formatDateTime(body.submitted_at);
    var replyBy = document.getElementById("done-reply-by");
    replyBy.textContent = body.reply_due_at ? t("done.reply_by", { date: P.formatDateTime(body.reply_due_at) }) : "";
    replyBy.hidden = !body.reply_due_at;
    document.getElementById("done-provisional").hidden = !body.reply_due_provisional;
    P.paragraphs(document.getElementById("done-next-steps"), P.pick(body.next_steps));
    // Files can be added now, with the access code just given (attachments.js).
    if (window.PortalAttachments) {
      window.PortalAttachments.mount(document.getElementById("done-attachments"), { number: trackingNo, code: String(body.access_code || "") });
    }
    var statusLink = document.getElementById("done-status-link");
    statusLink.setAttribute("href", "../status/?no=" + encodeURIComponent(trackingNo));
    // The answers are filed; do not leave them in the (hidden) form.
    form.reset();
    updateConditional();
    show("done");
    document.title = t("done.title") + " - " + originalTitle;
    scrollToTop();
    P.focus(document.getElementById("done-title"));
  }

  var printButton = document.getElementById("done-print");
  if (typeof window.print === "function") {
    printButton.addEventListener("click", function () {
      window.print();
    });
  } else {
    // Some in-app browsers cannot print: the access code warning says what else to do.
    printButton.parentNode.hidden = true;
  }

  // ------------------------------------------------------------------ sending

  function finish() {
    inFlight = false;
    confirmButton.disabled = false;
    confirmButton.removeAttribute("aria-disabled");
    sending.textContent = "";
  }

  confirmButton.addEventListener("click", function () {
    if (inFlight) {
      return;
    }
    inFlight = true;
    confirmButton.disabled = true;
    confirmButton.setAttribute("aria-disabled", "true");
    sending.textContent = t("check.sending");
    var phone = P.contacts.phone || "";

    P.request("POST", "/complaints", {
      json: payload(),
      headers: { "Idempotency-Key": idempotencyKey }
    }).then(function (response) {
      finish();
      var body = response.body || {};
      var error = P.apiError(response.body);
      if ((response.status === 201 || response.status === 200) && body.tracking_no) {
        idempotencyKey = P.uuid();
        showConfirmation(body);
      } else if (response.status === 400) {
        // Nothing was filed: the corrected answers are a new request with a new key.
        idempotencyKey = P.uuid();
        showErrors(error.fields || {}, error.message || t("common.server_error", { status: 400, phone: phone }));
      } else if (response.status === 422 && error.code === "idempotency_mismatch") {
        // This key already filed different answers; a new key lets these answers be filed.
        idempotencyKey = P.uuid();
        showErrors({}, t("form.idempotency_mismatch", { phone: phone }));
      } else {
        // The outcome is unknown (server error, timeout...): keep the key so a retry is safe.
        showErrors(error.fields || {}, error.message || t("common.server_error", { status: response.status, phone: phone }));
      }
    }, function () {
      finish();
      showErrors({}, t("common.network_error", { phone: phone }));
    });
  });
})();
