/*
 * The status page: looks a complaint up by its tracking number (GET /complaints/{no}) and shows
 * its status, deadlines and history. Without this script the form only reloads the page with ?no=.
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

  var input = document.getElementById("tracking_no");
  var group = document.getElementById("group-tracking_no");
  var fieldError = document.getElementById("tracking_no-error");
  var loading = document.getElementById("status-loading");
  var notice = document.getElementById("status-notice");
  var result = document.getElementById("status-result");
  var originalTitle = document.title;
  var requestCounter = 0;

  function resetMessages() {
    group.classList.remove("pf-form-group--error");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", "tracking_no-hint");
    fieldError.hidden = true;
    P.clear(fieldError);
    notice.hidden = true;
    P.clear(notice);
    loading.textContent = "";
    document.title = originalTitle;
  }

  function showFieldError(message) {
    result.hidden = true;
    group.classList.add("pf-form-group--error");
    fieldError.appendChild(el("span", { className: "pf-visually-hidden", text: t("common.error_prefix") + " " }));
    fieldError.appendChild(document.createTextNode(message));
    fieldError.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "tracking_no-hint tracking_no-error");
    document.title = t("common.error_prefix") + " " + originalTitle;
    input.focus();
  }

  function showNotice(message) {
    result.hidden = true;
    notice.textContent = message;
    notice.hidden = false;
  }

  function text(id, value) {
    document.getElementById(id).textContent = value || "";
  }

  function render(body) {
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

    result.hidden = false;
    document.title = t("status.result_title", { no: trackingNo }) + " - " + originalTitle;
    P.focus(document.getElementById("result-title"));
  }

  function lookup(raw) {
    resetMessages();
    // Spaces are dropped so the number fits in a URL path; the API normalises the rest.
    var number = String(raw || "").replace(/\s+/g, "");
    if (!number) {
      showFieldError(t("status.empty"));
      return;
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?no=" + encodeURIComponent(String(raw).trim()));
    }
    var mine = ++requestCounter;
    loading.textContent = t("status.loading");
    P.request("GET", "/complaints/" + encodeURIComponent(number)).then(function (response) {
      if (mine !== requestCounter) {
        return;
      }
      loading.textContent = "";
      var phone = P.contacts.phone || "";
      if (response.status === 200 && response.body && response.body.tracking_no) {
        render(response.body);
      } else if (response.status === 400) {
        showFieldError(t("status.invalid"));
      } else if (response.status === 404) {
        showNotice(t("status.not_found", { no: String(raw).trim() }));
      } else {
        showNotice(t("common.server_error", { status: response.status, phone: phone }));
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
    lookup(input.value);
  });

  var initial = new URLSearchParams(window.location.search).get("no");
  if (initial) {
    input.value = initial;
    lookup(initial);
  }
})();
