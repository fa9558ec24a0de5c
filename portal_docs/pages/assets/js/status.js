/*
 * The status page. Looks a complaint up by its tracking number (GET /complaints/{no}) and shows its
 * status, deadlines and history. With the complainant's access code (sent only in the
 * X-Access-Code header, never in a URL; kept in this tab's sessionStorage at most) it also shows
 * their own view: the decision, the messages, their complaint, and a form for each action they may
 * take (add information, rate, ask for a review, withdraw), each posted with the same header.
 * Without this script the form only reloads the page with ?no=.
 * Every text from the server is put in the page with textContent.
 */
(function () {
  "use strict";

  var form = document.getElementById("status-form");
  var P = window.Portal;
  if (!form || !P || !window.fetch) {
    return;
  }
  var t = P.t;
  var el = P.el;

  var labels = { field: {}, deadline: {} };
  try {
    labels = JSON.parse(document.getElementById("status-labels").textContent);
  } catch (error) {
    /* labels fall back to codes */
  }

  var input = document.getElementById("tracking_no");
  var group = document.getElementById("group-tracking_no");
  var fieldError = document.getElementById("tracking_no-error");
  var codeInput = document.getElementById("access_code");
  var codeGroup = document.getElementById("group-access_code");
  var codeError = document.getElementById("access_code-error");
  var forgetButton = document.getElementById("forget-code");
  var loading = document.getElementById("status-loading");
  var notice = document.getElementById("status-notice");
  var done = document.getElementById("status-done");
  var result = document.getElementById("status-result");
  var own = document.getElementById("own");
  var ownDetails = document.getElementById("own-details");
  var publicOnly = document.getElementById("public-only");
  var ownForms = Array.prototype.slice.call(document.querySelectorAll("form.pf-own-form"));
  var originalTitle = document.title;
  var requestCounter = 0;
  // The case on screen: its number as typed and the access code that opened it (or "").
  var current = { number: "", code: "", view: null };

  // ------------------------------------------------------------------ the access code in this tab

  var STORE_KEY = "portal.status.accessCode";

  function canonical(number) {
    return String(number || "").replace(/[\s-]+/g, "").toUpperCase();
  }

  function storedCode(number) {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      return saved && saved.no === canonical(number) ? String(saved.code || "") : "";
    } catch (error) {
      return "";
    }
  }

  function storeCode(number, code) {
    try {
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify({ no: canonical(number), code: code }));
    } catch (error) {
      /* private mode: the code simply is not remembered */
    }
  }

  function forgetStoredCode() {
    try {
      window.sessionStorage.removeItem(STORE_KEY);
    } catch (error) {
      /* nothing stored */
    }
  }

  // ------------------------------------------------------------------ messages and field errors

  function setFieldError(groupNode, control, slot, hintIds, message) {
    groupNode.classList.add("pf-form-group--error");
    P.clear(slot);
    slot.appendChild(el("span", { className: "pf-visually-hidden", text: t("common.error_prefix") + " " }));
    slot.appendChild(document.createTextNode(message));
    slot.hidden = false;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", hintIds.concat([slot.id]).join(" "));
  }

  function clearFieldError(groupNode, control, slot, hintIds) {
    groupNode.classList.remove("pf-form-group--error");
    control.removeAttribute("aria-invalid");
    control.setAttribute("aria-describedby", hintIds.join(" "));
    slot.hidden = true;
    P.clear(slot);
  }

  function resetMessages() {
    clearFieldError(group, input, fieldError, ["tracking_no-hint"]);
    clearFieldError(codeGroup, codeInput, codeError, ["access_code-hint", "access_code-privacy"]);
    notice.hidden = true;
    P.clear(notice);
    done.hidden = true;
    P.clear(done);
    loading.textContent = "";
    document.title = originalTitle;
  }

  function showNumberError(message) {
    result.hidden = true;
    setFieldError(group, input, fieldError, ["tracking_no-hint"], message);
    document.title = t("common.error_prefix") + " " + originalTitle;
    input.focus();
  }

  function showCodeError(message) {
    result.hidden = true;
    setFieldError(codeGroup, codeInput, codeError, ["access_code-hint", "access_code-privacy"], message);
    document.title = t("common.error_prefix") + " " + originalTitle;
    codeInput.focus();
  }

  function showNotice(message) {
    result.hidden = true;
    notice.textContent = message;
    notice.hidden = false;
  }

  /* "Try again after <time>" from a 429's Retry-After (seconds), in Beijing time. */
  function lockedMessage(response) {
    var seconds = parseInt((response.headers && response.headers.get("Retry-After")) || "", 10);
    if (!(seconds > 0)) {
      seconds = 15 * 60;
    }
    var until = new Date(Date.now() + seconds * 1000).toISOString();
    return t("status.code.locked", { time: P.formatDateTime(until) });
  }

  function text(id, value) {
    document.getElementById(id).textContent = value || "";
  }

  function fieldLabel(name) {
    return (labels.field && labels.field[name]) || name;
  }

  // ------------------------------------------------------------------ the public status

  function renderPublic(body) {
    var trackingNo = String(body.tracking_no || "");
    text("result-title", t("status.result_title", { no: trackingNo }));
    var tag = document.getElementById("result-status");
    tag.textContent = P.pick(body.status_label) || String(body.status || "");
    tag.className = "pf-tag pf-tag--" + String(body.status || "").replace(/[^a-z_]/g, "");
    text("result-category", body.category ? P.pick(body.category.label) || body.category.code : "");
    text("result-channel", body.channel ? P.pick(body.channel.label) || body.channel.code : "");
    text("result-submitted", P.formatDateTime(body.submitted_at));
    text("result-updated", P.formatDateTime(body.updated_at));

    var deadlines = Array.isArray(body.deadlines) ? body.deadlines : [];
    var table = document.getElementById("result-deadlines");
    var tbody = table.querySelector("tbody");
    P.clear(tbody);
    var anyProvisional = false;
    deadlines.forEach(function (deadline) {
      var due = el("td", { text: P.formatDateTime(deadline.due_at) });
      if (deadline.provisional) {
        anyProvisional = true;
        due.appendChild(document.createTextNode(" "));
        due.appendChild(el("span", { className: "pf-tag pf-tag--grey", text: t("status.deadline.provisional") }));
      }
      var state;
      if (deadline.met_at) {
        state = el("td", {}, [el("span", { className: "pf-tag pf-tag--green", text: t("status.deadline.met", { date: P.formatDateTime(deadline.met_at) }) })]);
      } else if (deadline.overdue) {
        state = el("td", {}, [el("span", { className: "pf-tag pf-tag--red", text: t("status.deadline.overdue") })]);
      } else {
        state = el("td", { text: t("status.deadline.pending") });
      }
      tbody.appendChild(el("tr", { className: deadline.overdue && !deadline.met_at ? "pf-row--overdue" : "" }, [
        el("th", { attrs: { scope: "row" }, text: P.pick(deadline.label) || deadline.kind }),
        due,
        state
      ]));
    });
    table.hidden = deadlines.length === 0;
    document.getElementById("result-no-deadlines").hidden = deadlines.length !== 0;
    document.getElementById("result-provisional-note").hidden = !anyProvisional;

    var milestones = Array.isArray(body.milestones) ? body.milestones : [];
    var list = document.getElementById("result-milestones");
    P.clear(list);
    milestones.forEach(function (milestone) {
      list.appendChild(el("li", { className: "pf-timeline__item" }, [
        el("span", { className: "pf-timeline__label", text: P.pick(milestone.label) || milestone.status }),
        el("span", { className: "pf-timeline__time", text: P.formatDateTime(milestone.at) })
      ]));
    });
    list.hidden = milestones.length === 0;
    document.getElementById("result-no-milestones").hidden = milestones.length !== 0;
    return trackingNo;
  }

  // ------------------------------------------------------------------ the complainant's own view

  function summaryRow(key, value, pre) {
    return el("div", { className: "pf-summary__row" }, [
      el("dt", { className: "pf-summary__key", text: key }),
      el("dd", { className: "pf-summary__value" + (pre ? " pf-summary__value--pre" : ""), text: value })
    ]);
  }

  function isDecision(message) {
    return message.action === "reject" || Boolean(message.data && message.data.decision);
  }

  function renderDecision(view, messages) {
    var section = document.getElementById("own-decision");
    var decisions = messages.filter(isDecision);
    var last = decisions.length ? decisions[decisions.length - 1] : null;
    section.hidden = !last;
    if (!last) {
      return;
    }
    var data = last.data || {};
    text("own-decision-title", t(last.action === "review_decision" ? "own.decision.review_title" : "own.decision.title"));
    var tag = document.getElementById("own-decision-label");
    var details = document.getElementById("own-decision-details");
    P.clear(details);
    if (last.action === "reject") {
      tag.textContent = P.pick(last.action_label);
      tag.className = "pf-tag pf-tag--large pf-tag--rejected";
      if (data.reason_code) {
        details.appendChild(summaryRow(t("own.decision.reason"), P.pick(data.reason_code.label) || data.reason_code.code));
      }
      if (last.text) {
        details.appendChild(summaryRow(t("own.decision.explanation"), last.text, true));
      }
    } else {
      var code = data.decision.code || "";
      tag.textContent = P.pick(data.decision.label) || code;
      tag.className = "pf-tag pf-tag--large pf-tag--" + (code === "upheld" ? "responded" : code === "not_upheld" ? "grey" : "accepted");
      if (data.reasons) {
        details.appendChild(summaryRow(fieldLabel("reasons"), data.reasons, true));
      }
      if (data.remedy) {
        details.appendChild(summaryRow(fieldLabel("remedy"), data.remedy, true));
      }
    }
    details.appendChild(summaryRow(t("own.decision.at"), P.formatDateTime(last.at)));
    if (view.rating) {
      details.appendChild(summaryRow(t("own.rating"), P.pick(view.rating.label) || view.rating.code));
    }

    var review = document.getElementById("own-review-info");
    var allowed = view.allowed_actions || [];
    var until = view.review_request_until;
    var message = "";
    if (allowed.indexOf("request_review") >= 0 && until) {
      message = t("own.review.how", { date: P.formatDateTime(until) });
    } else if (view.review_count > 0) {
      message = last.action === "review_decision" ? "" : t("own.review.requested");
    } else if (until && new Date(until).getTime() < Date.now()) {
      message = t("own.review.passed", { date: P.formatDateTime(until) });
    }
    review.textContent = message;
    review.hidden = !message;
  }

  function messageData(data) {
    var rows = [];
    if (data.decision) {
      rows.push([fieldLabel("decision"), P.pick(data.decision.label) || data.decision.code]);
    }
    if (data.reason_code) {
      rows.push([t("own.decision.reason"), P.pick(data.reason_code.label) || data.reason_code.code]);
    }
    if (data.reasons) {
      rows.push([fieldLabel("reasons"), data.reasons]);
    }
    if (data.remedy) {
      rows.push([fieldLabel("remedy"), data.remedy]);
    }
    if (data.satisfaction) {
      rows.push([fieldLabel("satisfaction"), P.pick(data.satisfaction.label) || data.satisfaction.code]);
    }
    if (data.deadline && data.to) {
      var kind = (labels.deadline && labels.deadline[data.deadline]) || data.deadline;
      rows.push(["", t("own.messages.extended", { deadline: kind, date: P.formatDateTime(data.to) })]);
    }
    return rows;
  }

  function renderMessages(messages) {
    var list = document.getElementById("own-messages");
    P.clear(list);
    messages.forEach(function (message) {
      var fromYou = message.from === "complainant";
      var item = el("li", { className: "pf-message" + (fromYou ? " pf-message--mine" : "") }, [
        el("p", { className: "pf-message__head" }, [
          el("strong", { text: P.pick(message.action_label) || message.action }),
          el("span", { className: "pf-message__meta", text: (fromYou ? t("own.messages.from_you") : t("own.messages.from_portal")) + " · " + P.formatDateTime(message.at) })
        ])
      ]);
      if (message.text) {
        var body = el("div", { className: "pf-message__text" });
        P.paragraphs(body, message.text);
        item.appendChild(body);
      }
      var rows = messageData(message.data || {});
      if (rows.length) {
        var dl = el("dl", { className: "pf-message__data" });
        rows.forEach(function (row) {
          if (row[0]) {
            dl.appendChild(el("dt", { text: row[0] }));
          }
          dl.appendChild(el("dd", { className: row[0] ? "" : "pf-message__note", text: row[1] }));
        });
        item.appendChild(dl);
      }
      list.appendChild(item);
    });
    list.hidden = messages.length === 0;
    document.getElementById("own-no-messages").hidden = messages.length !== 0;
  }

  function renderComplaint(complaint) {
    var list = document.getElementById("own-complaint");
    P.clear(list);
    var rows = [
      ["subject", complaint.subject],
      ["description", complaint.description],
      ["location", complaint.location],
      ["occurred_on", complaint.occurred_on ? P.formatDate(complaint.occurred_on) : ""],
      ["desired_outcome", complaint.desired_outcome],
      ["claim_amount", complaint.claim_amount ? "¥ " + complaint.claim_amount : ""],
      ["anonymous", complaint.anonymous ? t("own.anonymous_yes") : t("own.anonymous_no")]
    ];
    rows.forEach(function (row) {
      if (row[1]) {
        list.appendChild(summaryRow(fieldLabel(row[0]), String(row[1]), row[0] === "description" || row[0] === "desired_outcome"));
      }
    });
  }

  function renderActions(view) {
    var allowed = Array.isArray(view.allowed_actions) ? view.allowed_actions : [];
    ownForms.forEach(function (ownForm) {
      ownForm.hidden = allowed.indexOf(ownForm.getAttribute("data-action")) < 0;
      resetForm(ownForm);
    });
    document.getElementById("own-no-actions").hidden = allowed.length !== 0;
    // Files are added while information may be (attachments.js; the API applies the same rule).
    if (window.PortalAttachments) {
      var files = document.getElementById("own-attachments");
      if (allowed.indexOf("add_information") >= 0) {
        window.PortalAttachments.mount(files, { number: current.number, code: current.code });
      } else {
        window.PortalAttachments.unmount(files);
      }
    }
    text("form-feedback-hint", view.feedback_until ? t("own.feedback.hint", { date: P.formatDateTime(view.feedback_until) }) : "");
    text("form-review-hint", view.review_request_until ? t("own.review.hint", { date: P.formatDateTime(view.review_request_until) }) : "");
  }

  function renderOwn(view) {
    var messages = Array.isArray(view.messages) ? view.messages : [];
    renderDecision(view, messages);
    renderActions(view);
    renderMessages(messages);
    renderComplaint(view.complaint || {});
  }

  function render(body, code) {
    var trackingNo = renderPublic(body);
    var mine = Boolean(code && body.complaint);
    current = { number: trackingNo, code: mine ? code : "", view: mine ? body : null };
    own.hidden = !mine;
    ownDetails.hidden = !mine;
    publicOnly.hidden = mine;
    forgetButton.hidden = !mine;
    if (mine) {
      renderOwn(body);
    }
    result.hidden = false;
    document.title = t("status.result_title", { no: trackingNo }) + " - " + originalTitle;
  }

  // ------------------------------------------------------------------ looking a case up

  function codeHeaders(code) {
    return code ? { "X-Access-Code": code } : {};
  }

  function lookup(raw, code, after) {
    resetMessages();
    // Spaces are dropped so the number fits in a URL path; the API normalises the rest.
    var number = String(raw || "").replace(/\s+/g, "");
    if (!number) {
      showNumberError(t("status.empty"));
      return;
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?no=" + encodeURIComponent(String(raw).trim()));
    }
    var mine = ++requestCounter;
    loading.textContent = t("status.loading");
    P.request("GET", "/complaints/" + encodeURIComponent(number), { headers: codeHeaders(code) }).then(function (response) {
      if (mine !== requestCounter) {
        return;
      }
      loading.textContent = "";
      var phone = P.contacts.phone || "";
      var error = P.apiError(response.body);
      if (response.status === 200 && response.body && response.body.tracking_no) {
        if (code && response.body.complaint) {
          storeCode(number, code);
        }
        render(response.body, code);
        if (after) {
          after();
        } else {
          P.focus(document.getElementById("result-title"));
        }
      } else if (response.status === 403 && code) {
        forgetStoredCode();
        showCodeError(t("status.code.wrong"));
      } else if (response.status === 429 && code) {
        showCodeError(lockedMessage(response));
      } else if (response.status === 400) {
        showNumberError(t("status.invalid"));
      } else if (response.status === 404) {
        showNotice(t("status.not_found", { no: String(raw).trim() }));
      } else {
        showNotice(error.message || t("common.server_error", { status: response.status, phone: phone }));
      }
    }, function () {
      if (mine !== requestCounter) {
        return;
      }
      loading.textContent = "";
      showNotice(t("common.network_error", { phone: P.contacts.phone || "" }));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    if (!code) {
      forgetStoredCode();
    }
    lookup(input.value, code);
  });

  forgetButton.addEventListener("click", function () {
    forgetStoredCode();
    codeInput.value = "";
    lookup(input.value || current.number, "", function () {
      done.textContent = t("status.code.forgotten");
      done.hidden = false;
      P.focus(done);
    });
  });

  // ------------------------------------------------------------------ the complainant's actions

  function part(ownForm, role) {
    return ownForm.querySelector('[data-role="' + role + '"]');
  }

  function resetForm(ownForm) {
    var formError = part(ownForm, "form-error");
    formError.hidden = true;
    P.clear(formError);
    P.clearFieldErrors(ownForm);
    part(ownForm, "sending").textContent = "";
    showConfirmStep(ownForm, false);
  }

  function payload(ownForm) {
    var body = {};
    Array.prototype.forEach.call(ownForm.elements, function (control) {
      if (!control.name || (control.type === "radio" && !control.checked)) {
        return;
      }
      var value = String(control.value || "").trim();
      if (value) {
        body[control.name] = value;
      }
    });
    return body;
  }

  function showFormErrors(ownForm, message, fields) {
    var formError = part(ownForm, "form-error");
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var fieldGroup = ownForm.querySelector('[data-field="' + name + '"]');
      var slot = document.getElementById("cf-" + name + "-error");
      var controls = ownForm.querySelectorAll('[name="' + name + '"]');
      if (!fieldGroup || !slot || !controls.length) {
        return;
      }
      Array.prototype.forEach.call(controls, function (control) {
        var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        setFieldError(fieldGroup, control, slot, ids, String(fields[name]));
      });
      first = first || controls[0];
    });
    P.clear(formError);
    formError.textContent = message;
    formError.hidden = false;
    if (first) {
      first.focus();
    } else {
      P.focus(formError);
    }
  }

  function showConfirmStep(ownForm, confirming) {
    if (ownForm.getAttribute("data-confirm") !== "true") {
      return;
    }
    part(ownForm, "first-step").hidden = confirming;
    document.getElementById("withdraw-confirm").hidden = !confirming;
  }

  /* Required answers missing from the form, as {field: message} (the API checks them too). */
  function missingAnswers(ownForm, body) {
    var missing = {};
    Array.prototype.forEach.call(ownForm.querySelectorAll("[data-required]"), function (marker) {
      var name = marker.getAttribute("data-required");
      if (!body[name]) {
        missing[name] = marker.getAttribute("data-required-message") || t("common.there_is_a_problem");
      }
    });
    return missing;
  }

  function send(ownForm) {
    var phone = P.contacts.phone || "";
    var sending = part(ownForm, "sending");
    var buttons = ownForm.querySelectorAll("button");
    var path = "/complaints/" + encodeURIComponent(current.number) + "/" + ownForm.getAttribute("data-endpoint");
    var body = payload(ownForm);
    resetForm(ownForm);
    done.hidden = true;
    notice.hidden = true;
    var missing = missingAnswers(ownForm, body);
    if (Object.keys(missing).length) {
      showFormErrors(ownForm, t("common.there_is_a_problem"), missing);
      return;
    }
    sending.textContent = t("own.sending");
    Array.prototype.forEach.call(buttons, function (button) {
      button.disabled = true;
    });
    function finish() {
      sending.textContent = "";
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = false;
      });
    }
    P.request("POST", path, { json: body, headers: codeHeaders(current.code) }).then(function (response) {
      finish();
      var error = P.apiError(response.body);
      if (response.status === 200 && response.body && response.body.tracking_no) {
        ownForm.reset();
        render(response.body, current.code);
        done.textContent = ownForm.getAttribute("data-done") || "";
        done.hidden = false;
        P.focus(done);
      } else if (response.status === 400) {
        showFormErrors(ownForm, error.message || t("common.server_error", { status: 400, phone: phone }), error.fields);
      } else if (response.status === 403) {
        forgetStoredCode();
        showFormErrors(ownForm, t("status.code.wrong"), {});
      } else if (response.status === 429) {
        showFormErrors(ownForm, lockedMessage(response), {});
      } else if (response.status === 409) {
        // The case moved on (a decision, a rating already given...): show it as it is now.
        var message = t("own.conflict", { message: error.message || "" });
        lookup(current.number, current.code, function () {
          notice.textContent = message;
          notice.hidden = false;
          P.focus(notice);
        });
      } else {
        showFormErrors(ownForm, error.message || t("common.server_error", { status: response.status, phone: phone }), {});
      }
    }, function () {
      finish();
      showFormErrors(ownForm, t("common.network_error", { phone: phone }), {});
    });
  }

  ownForms.forEach(function (ownForm) {
    ownForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (ownForm.getAttribute("data-confirm") === "true") {
        // Withdrawing cannot be undone: ask once more, naming the complaint.
        resetForm(ownForm);
        var title = document.getElementById("withdraw-confirm-title");
        title.textContent = t("own.withdraw.confirm_title", { no: current.number });
        showConfirmStep(ownForm, true);
        P.focus(title);
        return;
      }
      send(ownForm);
    });
  });

  document.getElementById("withdraw-yes").addEventListener("click", function () {
    send(document.getElementById("form-withdraw"));
  });

  document.getElementById("withdraw-no").addEventListener("click", function () {
    var withdrawForm = document.getElementById("form-withdraw");
    showConfirmStep(withdrawForm, false);
    withdrawForm.querySelector('[data-role="first-step"] button').focus();
  });

  // ------------------------------------------------------------------ on load

  var initial = new URLSearchParams(window.location.search).get("no");
  if (initial) {
    input.value = initial;
    var remembered = storedCode(initial);
    codeInput.value = remembered;
    lookup(initial, remembered);
  }
})();
