/*
 * The actions on a case: the forms of what the signed-in person may do in the case's status (the
 * API says which, from the same definitions it accepts them by), sent with the version the page
 * shows, so that a change someone else made meanwhile is a conflict, never lost.
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
  var sending = $("sc-sending");

  function resetForm(form) {
    form.reset();
    form.removeAttribute("data-dirty");
    sc.clearFormErrors(form);
  }

  /* Shows the forms of the allowed actions. Another case gets fresh forms; the same case at a new
     version (a reload after a conflict) keeps what was typed, and prefills untouched forms only. */
  function renderActions(c, otherCase) {
    var allowed = Array.isArray(c.allowed_actions) ? c.allowed_actions : [];
    var any = false;
    Array.prototype.forEach.call(sc.app.querySelectorAll("details.sc-action"), function (details) {
      var name = details.getAttribute("data-action");
      var form = details.querySelector("form");
      var shown = allowed.indexOf(name) >= 0;
      if (otherCase || !shown) {
        resetForm(form);
        details.open = false;
      }
      details.hidden = !shown;
      any = any || shown;
    });
    $("sc-no-actions").hidden = any;
    var withheld = $("sc-withheld");
    P.clear(withheld);
    (Array.isArray(c.withheld_actions) ? c.withheld_actions : []).forEach(function (item) {
      var title = sc.app.querySelector('details.sc-action[data-action="' + item.action + '"] .sc-action__title');
      var name = title ? title.textContent : String(item.action);
      withheld.appendChild(el("li", {}, [el("strong", { text: name }), document.createTextNode(" " + P.pick(item.reason))]));
    });
    withheld.hidden = !withheld.children.length;

    var accept = sc.app.querySelector('form[data-action="accept"]');
    if (!accept.hasAttribute("data-dirty")) {
      accept.elements.namedItem("category").value = c.category ? c.category.code : "";
      var department = c.department || c.suggested_department;
      accept.elements.namedItem("department").value = department ? department.code : "";
      accept.elements.namedItem("priority").value = c.priority ? c.priority.code : "normal";
    }
    ["extend", "request_extension"].forEach(function (name) {
      var form = sc.app.querySelector('form[data-action="' + name + '"]');
      if (form.hasAttribute("data-dirty")) {
        return;
      }
      var kind = c.status === "under_review" ? "review" : "respond";
      (c.deadlines || []).forEach(function (deadline) {
        if (deadline.kind === kind && !deadline.met_at) {
          form.elements.namedItem("due_at").value = sc.localValue(deadline.due_at);
        }
      });
    });
  }

  function actionBody(form) {
    var body = { action: form.getAttribute("data-action"), expected_version: state.current.version };
    Array.prototype.forEach.call(form.querySelectorAll("input, select, textarea"), function (control) {
      var value = String(control.value || "").trim();
      if (!control.name || value === "") {
        return;
      }
      if (control.type === "datetime-local") {
        value = sc.withOffset(value);
      }
      body[control.name] = value;
    });
    return body;
  }

  function setBusy(busy) {
    state.busy = busy;
    Array.prototype.forEach.call(sc.app.querySelectorAll(".sc-action__form button[type=submit]"), function (button) {
      button.disabled = busy;
    });
  }

  function actionFailed(form, response) {
    var error = P.apiError(response.body);
    var slot = form.querySelector(".sc-form-error");
    if (response.status === 409 && error.code === "version_conflict") {
      sc.showCaseNotice(t("staff.case.conflict"), true);
      return;
    }
    var left = response.status === 400 ? sc.markFieldErrors(form, error.fields || {}) : [];
    var general = response.status === 400 && !left.length ? "" : [sc.errorMessage(response)].concat(left).join(" ");
    if (general) {
      sc.fillErrorSlot(slot, general);
      P.focus(slot);
    }
  }

  Array.prototype.forEach.call(sc.app.querySelectorAll(".sc-action__form"), function (form) {
    var markDirty = function () {
      form.setAttribute("data-dirty", "true");
    };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state.busy || !state.current) {
        return;
      }
      sc.clearFormErrors(form);
      sc.showCaseNotice("", false);
      var number = state.current.tracking_no;
      var title = form.parentNode.querySelector(".sc-action__title").textContent;
      setBusy(true);
      sending.textContent = t("staff.case.sending");
      sc.api("POST", "/admin/complaints/" + encodeURIComponent(number) + "/actions", actionBody(form)).then(function (response) {
        setBusy(false);
        sending.textContent = "";
        if (response.status === 200 && response.body && response.body.tracking_no) {
          resetForm(form);
          form.parentNode.open = false;
          sc.renderCase(response.body, { focus: false });
          sending.textContent = t("staff.case.saved", { action: title });
          P.focus($("sc-case-status"));
        } else {
          actionFailed(form, response);
        }
      }).catch(function (error) {
        setBusy(false);
        sending.textContent = "";
        if (error === sc.HANDLED) {
          return;
        }
        var slot = form.querySelector(".sc-form-error");
        sc.fillErrorSlot(slot, t("staff.error.network"));
        P.focus(slot);
      });
    });
  });

  sc.renderActions = renderActions;
})();
