/*
 * The callbacks worklist (#callbacks, officers and supervisors): responded cases whose call back is
 * due, earliest first, each with the complainant's contact shown on request (every reveal is in the
 * access log) and the call back recorded in place: the four satisfaction levels and a comment, or
 * "could not reach them" with when to call again. Both are the case's own actions, sent with the
 * version listed, so a case someone changed meanwhile is a conflict, never overwritten.
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
  var list = $("sc-callbacks-list");
  var counter = 0;
  sc.sections.callbacks = $("sc-callbacks");

  function field(id, name, label, control, hint, optional) {
    var labelNode = el("label", { className: "pf-label", text: label, attrs: { "for": id } });
    if (optional) {
      labelNode.appendChild(el("span", { className: "pf-optional", text: t("common.optional") }));
    }
    var group = el("div", { className: "pf-form-group", attrs: { "data-field": name } }, [labelNode]);
    if (hint) {
      group.appendChild(el("p", { className: "pf-hint", text: hint, attrs: { id: id + "-hint" } }));
      control.setAttribute("aria-describedby", id + "-hint");
    }
    group.appendChild(el("p", { className: "pf-error-message", attrs: { id: id + "-error", hidden: "" } }));
    group.appendChild(control);
    return group;
  }

  function satisfactionSelect(id) {
    var select = el("select", { className: "pf-select", attrs: { id: id, name: "satisfaction" } }, [
      el("option", { text: t("staff.choose"), attrs: { value: "" } })
    ]);
    sc.metaList("satisfaction_levels").forEach(function (level) {
      select.appendChild(el("option", { text: P.pick(level.label), attrs: { value: level.code } }));
    });
    return select;
  }

  function comment(id) {
    return el("textarea", { className: "pf-textarea", attrs: { id: id, name: "comment", rows: "2" } });
  }

  /* Sends one of the case's actions from a form of the list; the list is read again after. */
  function send(form, item, body) {
    var slot = form.querySelector(".sc-form-error");
    var button = form.querySelector("button[type=submit]");
    sc.clearFormErrors(form);
    slot.hidden = true;
    button.disabled = true;
    body.expected_version = item.version;
    sc.api("POST", "/admin/complaints/" + encodeURIComponent(item.tracking_no) + "/actions", body).then(function (response) {
      button.disabled = false;
      if (response.status === 200 && response.body && response.body.tracking_no) {
        load(function () {
          sc.setText("sc-callbacks-status", t("staff.callbacks.recorded", { no: item.tracking_no }));
        });
        return;
      }
      var error = P.apiError(response.body);
      if (response.status === 409 && error.code === "version_conflict") {
        sc.fillErrorSlot(slot, t("staff.callbacks.conflict"));
        P.focus(slot);
        return;
      }
      var left = response.status === 400 ? sc.markFieldErrors(form, error.fields || {}) : [];
      var general = response.status === 400 && !left.length ? "" : [sc.errorMessage(response)].concat(left).join(" ");
      if (general) {
        sc.fillErrorSlot(slot, general);
        P.focus(slot);
      }
    }).catch(function (error) {
      button.disabled = false;
      if (error !== sc.HANDLED) {
        sc.fillErrorSlot(slot, t("staff.error.network"));
        P.focus(slot);
      }
    });
  }

  function reveal(item, button, where) {
    button.disabled = true;
    sc.api("POST", "/admin/complaints/" + encodeURIComponent(item.tracking_no) + "/contact").then(function (response) {
      if (response.status !== 200 || !response.body) {
        button.disabled = false;
        where.textContent = sc.errorMessage(response);
        return;
      }
      var c = response.body;
      P.clear(where);
      [["name", c.name], ["organization", c.organization], ["phone", c.phone], ["email", c.email]].forEach(function (pair) {
        if (pair[1]) {
          where.appendChild(el("span", { className: "sc-callback__contact-item" }, [
            el("span", { className: "sc-callback__contact-key", text: (sc.fieldLabels[pair[0]] || pair[0]) + " " }),
            el("strong", { className: "sc-callback__contact-" + pair[0], text: String(pair[1]) })
          ]));
        }
      });
      button.hidden = true;
    }).catch(function (error) {
      button.disabled = false;
      if (error !== sc.HANDLED) {
        where.textContent = t("staff.error.network");
      }
    });
  }

  function entry(item, index) {
    var number = String(item.tracking_no || "");
    var prefix = "sc-cb-" + index;
    var due = item.next_due ? sc.formatCompact(item.next_due.due_at) : "";
    var contact = el("p", { className: "sc-callback__contact", attrs: { "aria-live": "polite" } });
    var revealButton = el("button", {
      className: "pf-button pf-button--secondary",
      text: t("staff.callbacks.reveal"),
      attrs: { type: "button" }
    });
    revealButton.addEventListener("click", function () {
      reveal(item, revealButton, contact);
    });

    var recorded = el("form", { className: "pf-form sc-callback__form", attrs: { novalidate: "" } }, [
      field(prefix + "-satisfaction", "satisfaction", sc.fieldLabels.satisfaction || "satisfaction", satisfactionSelect(prefix + "-satisfaction")),
      field(prefix + "-comment", "comment", sc.fieldLabels.comment || "comment", comment(prefix + "-comment"), null, true),
      el("p", { className: "pf-error-message sc-form-error", attrs: { role: "alert", hidden: "" } }),
      el("button", { className: "pf-button", text: t("staff.action.callback.button"), attrs: { type: "submit" } })
    ]);
    recorded.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { action: "callback" };
      var satisfaction = recorded.elements.namedItem("satisfaction").value;
      var note = recorded.elements.namedItem("comment").value.trim();
      if (satisfaction) {
        body.satisfaction = satisfaction;
      }
      if (note) {
        body.comment = note;
      }
      send(recorded, item, body);
    });

    var retryInput = el("input", { className: "pf-input pf-input--w20", attrs: { id: prefix + "-retry_at", name: "retry_at", type: "datetime-local" } });
    var unreachable = el("form", { className: "pf-form sc-callback__form", attrs: { novalidate: "" } }, [
      field(prefix + "-retry_at", "retry_at", sc.fieldLabels.retry_at || "retry_at", retryInput, t("staff.action.callback_unreachable.retry_hint")),
      field(prefix + "-retry-comment", "comment", sc.fieldLabels.comment || "comment", comment(prefix + "-retry-comment"), null, true),
      el("p", { className: "pf-error-message sc-form-error", attrs: { role: "alert", hidden: "" } }),
      el("button", { className: "pf-button pf-button--secondary", text: t("staff.action.callback_unreachable.button"), attrs: { type: "submit" } })
    ]);
    unreachable.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { action: "callback_unreachable" };
      var when = retryInput.value.trim();
      var note = unreachable.elements.namedItem("comment").value.trim();
      if (when) {
        body.retry_at = sc.withOffset(when);
      }
      if (note) {
        body.comment = note;
      }
      send(unreachable, item, body);
    });

    var head = el("h3", { className: "sc-callback__title" }, [
      el("a", { className: "sc-code", text: number, attrs: { href: "#case=" + encodeURIComponent(number) } }),
      document.createTextNode(" "),
      el("span", { className: "sc-callback__subject", text: String(item.subject || "") })
    ]);
    var when = el("p", { className: "sc-callback__due" }, [
      document.createTextNode(t("staff.callbacks.due", { at: due }))
    ]);
    if (item.overdue) {
      when.appendChild(document.createTextNode(" "));
      when.appendChild(el("span", { className: "pf-tag pf-tag--red sc-tag--overdue", text: t("staff.overdue") }));
    }
    return el("li", { className: "sc-callback" + (item.overdue ? " sc-row--overdue" : ""), attrs: { "data-tracking-no": number } }, [
      head,
      when,
      el("div", { className: "sc-callback__reveal" }, [revealButton, contact]),
      recorded,
      el("details", { className: "sc-callback__unreachable" }, [
        el("summary", { text: t("staff.action.callback_unreachable.title") }),
        unreachable
      ])
    ]);
  }

  /* Reads the list again; ``then``: what to do once it is shown. */
  function load(then) {
    var mine = ++counter;
    sc.loading.textContent = t("staff.loading");
    var params = new URLSearchParams({ due: "callback", limit: "50", total: "true" });
    sc.api("GET", "/admin/complaints?" + params.toString()).then(function (response) {
      if (mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        sc.showNotice(sc.errorMessage(response));
        return;
      }
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      P.clear(list);
      items.forEach(function (item, index) {
        list.appendChild(entry(item, index));
      });
      var total = typeof response.body.total === "number" ? response.body.total : items.length;
      sc.setText("sc-callbacks-caption", items.length
        ? t(total > items.length ? "staff.callbacks.count_more" : "staff.callbacks.count", { count: items.length, total: total })
        : t("staff.callbacks.none"));
      list.hidden = !items.length;
      if (then) {
        then();
      }
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      sc.showNotice(t("staff.error.network"));
    });
  }

  sc.openCallbacks = function () {
    sc.show("callbacks");
    sc.showNotice("");
    sc.setText("sc-callbacks-status", "");
    document.title = t("staff.callbacks.title") + " - " + sc.originalTitle;
    load();
    P.focus($("sc-callbacks-title"));
  };
})();
