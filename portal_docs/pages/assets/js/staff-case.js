/*
 * One case in the staff console (#case=NUMBER): its summary, the complainant (unless the viewer
 * may not see who made a confidential complaint), the details, deadlines and history. Its actions
 * are staff-actions.js, the messages sent about it staff-messages.js, the complainant's other
 * complaints staff-search.js.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  if (!sc) {
    return;
  }
  var P = sc.P;
  var t = sc.t;
  var el = sc.el;
  var $ = sc.$;
  var state = sc.state;
  var counter = 0;
  sc.sections["case"] = $("sc-case");

  var caseBody = $("sc-case-body");
  var caseNotice = $("sc-case-notice");
  var reloadButton = $("sc-case-reload");
  var sending = $("sc-sending");

  function showCaseNotice(message, offerReload) {
    sc.setText("sc-case-notice-text", message);
    reloadButton.hidden = !offerReload;
    caseNotice.hidden = !message;
    if (message) {
      P.focus(offerReload ? reloadButton : caseNotice);
    }
  }

  function openCase(number, options) {
    var opts = options || {};
    sc.show("case");
    sc.showNotice("");
    if (!opts.keepNotice) {
      showCaseNotice("", false);
    }
    var same = state.current && state.current.tracking_no === number;
    if (!same) {
      caseBody.hidden = true;
    }
    sending.textContent = "";
    var mine = ++counter;
    sc.loading.textContent = t("staff.loading");
    sc.api("GET", "/admin/complaints/" + encodeURIComponent(number)).then(function (response) {
      if (mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status === 200 && response.body && response.body.tracking_no) {
        renderCase(response.body, { focus: !same });
      } else if (response.status === 404) {
        caseBody.hidden = true;
        showCaseNotice(t("staff.case.not_found", { no: number }), false);
      } else {
        caseBody.hidden = true;
        showCaseNotice(sc.errorMessage(response), false);
      }
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      showCaseNotice(t("staff.error.network"), false);
    });
  }

  reloadButton.addEventListener("click", function () {
    if (state.current) {
      showCaseNotice("", false);
      openCase(state.current.tracking_no);
    }
  });

  function row(id, value) {
    var rowNode = $(id + "-row");
    sc.setText(id, value);
    if (rowNode) {
      rowNode.hidden = value === "" || value === null || value === undefined;
    }
  }

  function fillRows(list, values) {
    Array.prototype.forEach.call(list.querySelectorAll("[data-row]"), function (rowNode) {
      var name = rowNode.getAttribute("data-row");
      var value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : null;
      var text = value === null || value === undefined ? "" : String(value);
      rowNode.querySelector("dd").textContent = text;
      rowNode.hidden = text === "";
    });
  }

  function yesNo(value) {
    return value ? t("staff.case.yes") : t("staff.case.no");
  }

  function renderComplainant(c) {
    var person = c.complainant || {};
    $("sc-case-redacted").hidden = !person.redacted;
    fillRows($("sc-case-complainant"), {
      type: sc.codeLabel(person.type),
      anonymous: yesNo(person.anonymous),
      name: person.name,
      organization: person.organization,
      credit_code: person.credit_code,
      phone: person.phone,
      email: person.email,
      preferred_language: sc.languageLabels[person.preferred_language] || person.preferred_language
    });
  }

  function renderDetails(c) {
    var d = c.details || {};
    fillRows($("sc-case-details"), {
      subject: d.subject,
      description: d.description,
      location: d.location,
      occurred_on: d.occurred_on ? P.formatDate(d.occurred_on) : "",
      desired_outcome: d.desired_outcome,
      claim_amount: d.claim_amount ? "¥ " + d.claim_amount : ""
    });
  }

  function renderDeadlines(c) {
    var deadlines = Array.isArray(c.deadlines) ? c.deadlines : [];
    var tbody = $("sc-case-deadlines").querySelector("tbody");
    P.clear(tbody);
    deadlines.forEach(function (deadline) {
      var due = el("td", { className: "sc-cell--time", text: sc.formatCompact(deadline.due_at) });
      if (deadline.provisional) {
        due.appendChild(document.createTextNode(" "));
        due.appendChild(el("span", { className: "pf-tag pf-tag--grey", text: t("status.deadline.provisional") }));
      }
      var stateCell;
      if (deadline.met_at) {
        stateCell = el("td", {}, [el("span", { className: "pf-tag pf-tag--green", text: t("status.deadline.met", { date: sc.formatCompact(deadline.met_at) }) })]);
      } else if (deadline.overdue) {
        stateCell = el("td", {}, [el("span", { className: "pf-tag pf-tag--red", text: t("staff.overdue") })]);
      } else {
        stateCell = el("td", { text: t("status.deadline.pending") });
      }
      tbody.appendChild(el("tr", { className: deadline.overdue && !deadline.met_at ? "pf-row--overdue" : "" }, [
        el("th", { attrs: { scope: "row" }, text: P.pick(deadline.label) || deadline.kind }),
        due,
        stateCell
      ]));
    });
    $("sc-case-deadlines").hidden = deadlines.length === 0;
    $("sc-case-no-deadlines").hidden = deadlines.length !== 0;
  }

  function deadlineLabel(c, kind) {
    var list = Array.isArray(c.deadlines) ? c.deadlines : [];
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].kind === kind) {
        return P.pick(list[i].label);
      }
    }
    return String(kind || "");
  }

  /* The data an event carries, as [label, text] pairs people can read. */
  function eventData(c, event) {
    var data = event.data || {};
    var pairs = [];
    var done = {};
    var coded = {
      category: "categories",
      department: "departments",
      priority: "priorities",
      reason_code: "rejection_reasons",
      decision: "decisions",
      satisfaction: "satisfaction_levels"
    };
    if (event.action === "transfer" && (data.from !== undefined || data.to !== undefined)) {
      pairs.push([sc.fieldLabels.department || "department",
        (data.from ? sc.metaLabel("departments", data.from) : t("staff.queue.unassigned")) + " → " + sc.metaLabel("departments", data.to)]);
      done.from = done.to = true;
    }
    // An extension, asked for, approved or declined: which clock, from when to when.
    if (data.deadline && data.to) {
      pairs.push([sc.fieldLabels.due_at || "due_at", t("staff.history.deadline", {
        deadline: deadlineLabel(c, data.deadline),
        from: sc.formatCompact(data.from),
        to: sc.formatCompact(data.to)
      })]);
      done.deadline = done.from = done.to = true;
    }
    Object.keys(data).forEach(function (key) {
      if (done[key]) {
        return;
      }
      var value = data[key];
      var text = coded[key] ? sc.metaLabel(coded[key], value) : (value === null || value === undefined ? "" : String(value));
      pairs.push([sc.fieldLabels[key] || key, text]);
    });
    return pairs;
  }

  function actorText(actor) {
    var who = actor || {};
    if (who.kind === "staff") {
      return t("staff.history.by", { name: who.name || "", role: sc.metaLabel("roles", who.role) });
    }
    if (who.kind === "complainant") {
      return t("staff.history.complainant");
    }
    return who.name || t("staff.history.system");
  }

  function renderHistory(c) {
    var list = $("sc-history");
    P.clear(list);
    var events = Array.isArray(c.history) ? c.history : [];
    if (!events.length) {
      list.appendChild(el("li", { className: "pf-hint", text: t("staff.case.no_history") }));
    }
    events.forEach(function (event) {
      var internal = event.visibility === "internal";
      var head = el("p", { className: "sc-history__head" }, [
        el("span", { className: "sc-history__action", text: P.pick(event.action_label) || event.action }),
        el("span", {
          className: "pf-tag " + (internal ? "sc-tag--internal" : "sc-tag--public"),
          text: t(internal ? "staff.visibility.internal" : "staff.visibility.public")
        })
      ]);
      if (event.from_status && event.to_status && event.from_status !== event.to_status) {
        head.appendChild(el("span", {
          className: "sc-history__status",
          text: sc.metaLabel("statuses", event.from_status) + " → " + sc.metaLabel("statuses", event.to_status)
        }));
      }
      var item = el("li", {
        className: "sc-history__item" + (internal ? " sc-history__item--internal" : ""),
        attrs: { "data-action": String(event.action || ""), "data-visibility": internal ? "internal" : "public" }
      }, [
        head,
        el("p", { className: "sc-history__meta", text: sc.formatCompact(event.at) + " · " + actorText(event.actor) })
      ]);
      if (event.note) {
        item.appendChild(el("p", { className: "sc-history__note", text: event.note }));
      }
      var pairs = eventData(c, event);
      if (pairs.length) {
        var dl = el("dl", { className: "sc-history__data" });
        pairs.forEach(function (pair) {
          dl.appendChild(el("dt", { text: pair[0] }));
          dl.appendChild(el("dd", { text: pair[1] }));
        });
        item.appendChild(dl);
      }
      list.appendChild(item);
    });
  }

  function renderExtensionRequest(c) {
    var asked = c.extension_request;
    $("sc-extension-request").hidden = !asked;
    if (!asked) {
      return;
    }
    sc.setText("sc-extension-request-text", t("staff.extension_request.text", {
      by: asked.by,
      at: sc.formatCompact(asked.at),
      deadline: P.pick(asked.deadline_label) || asked.deadline,
      due: sc.formatCompact(asked.due_at)
    }));
    sc.setText("sc-extension-request-reason", asked.reason);
  }

  function renderCase(c, options) {
    var opts = options || {};
    var previous = state.current;
    var otherCase = !previous || previous.tracking_no !== c.tracking_no;
    state.current = c;
    var number = String(c.tracking_no);
    sc.setText("sc-case-title", t("status.result_title", { no: number }));
    sc.setStatusTag($("sc-case-status"), c.status, c.status_label);
    $("sc-case-overdue").hidden = !c.overdue;
    $("sc-case-escalated").hidden = !(c.escalation_level >= 2);
    $("sc-case-confidential").hidden = !c.confidential;
    sc.setText("sc-case-subject", c.subject || (c.details && c.details.subject) || "");

    sc.setText("sc-case-category", sc.codeLabel(c.category));
    sc.setText("sc-case-department", c.department
      ? sc.codeLabel(c.department)
      : t("staff.queue.unassigned") + " · " + t("staff.queue.suggested", { department: sc.codeLabel(c.suggested_department) }));
    sc.setText("sc-case-priority", c.priority ? sc.codeLabel(c.priority) : t("staff.queue.none"));
    sc.setText("sc-case-channel", sc.codeLabel(c.channel));
    sc.setText("sc-case-submitted", P.formatDateTime(c.submitted_at));
    sc.setText("sc-case-updated", P.formatDateTime(c.updated_at));
    var nextDue = $("sc-case-next-due");
    P.clear(nextDue);
    if (c.next_due) {
      var separator = P.lang === "zh" ? "：" : ": ";
      nextDue.appendChild(document.createTextNode((P.pick(c.next_due.label) || c.next_due.kind) + separator + P.formatDateTime(c.next_due.due_at)));
      if (c.overdue) {
        nextDue.appendChild(document.createTextNode(" "));
        nextDue.appendChild(el("span", { className: "pf-tag pf-tag--red", text: t("staff.overdue") }));
      }
    } else {
      nextDue.textContent = t("staff.queue.none");
    }
    row("sc-case-review-count", c.review_count ? String(c.review_count) : "");
    row("sc-case-callback", c.callback_satisfaction ? sc.codeLabel(c.callback_satisfaction) : "");
    row("sc-case-rating", c.complainant_rating ? sc.codeLabel(c.complainant_rating) : "");

    renderExtensionRequest(c);
    sc.linkDocuments(c);
    renderComplainant(c);
    renderDetails(c);
    renderDeadlines(c);
    renderHistory(c);
    sc.renderActions(c, otherCase);
    sc.loadMessages(c.tracking_no);
    if (otherCase) {
      sc.loadRelated(c);
    }
    sc.loadCaseAccess(c);
    if (sc.showAttachments) {
      sc.showAttachments(c);
    }

    caseBody.hidden = false;
    document.title = t("status.result_title", { no: number }) + " - " + sc.originalTitle;
    if (opts.focus) {
      P.focus($("sc-case-title"));
    }
  }

  sc.openCase = openCase;
  sc.renderCase = renderCase;
  sc.showCaseNotice = showCaseNotice;
})();
