/*
 * The staff console's queue: the cases staff still owe something, earliest due first, filtered,
 * a page at a time. A handler's queue is their own department's, whatever the filters say (the API
 * enforces it; the filter is shown locked).
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

  var filters = $("sc-filters");
  var queueBody = $("sc-queue-table").querySelector("tbody");
  var PAGE_SIZE = 50;
  var PAGES_KEY = "complaint-portal.staff.queue-pages";
  // What the address says of the queue (#queue?status=received&page=2&cursor=...), beside the page.
  var FILTERS = ["status", "department", "category", "priority", "overdue", "month", "escalated", "extension", "order"];
  var shown = { values: {}, page: 1, next: null, key: "" };
  var counter = 0;
  sc.sections.queue = $("sc-queue");

  /* The view someone sees first: supervisors what is overdue, officers what waits for their decision
     to accept, handlers their department's cases (the API keeps them to it in any case). */
  function defaultView() {
    if (sc.has("supervisor")) {
      return { overdue: "true" };
    }
    if (sc.mayRegister()) {
      return { status: "received" };
    }
    return {};
  }

  function formValues() {
    var values = {};
    FILTERS.forEach(function (name) {
      var control = filters.elements.namedItem(name);
      if (!control) {
        return;
      }
      // A ticked box sends its value ("true", or the extension filter's "waiting").
      var value = control.type === "checkbox" ? (control.checked ? control.value : "") : String(control.value || "").trim();
      if (value && !(name === "order" && value === "asc")) {
        values[name] = value;
      }
    });
    return values;
  }

  function fillForm(values) {
    filters.reset();
    FILTERS.forEach(function (name) {
      var control = filters.elements.namedItem(name);
      if (control && values[name]) {
        if (control.type === "checkbox") {
          control.checked = values[name] === control.value;
        } else {
          control.value = values[name];
        }
      }
    });
    if (sc.onlyHandler() && state.who.department) {
      $("sc-filter-department").value = state.who.department;
    }
  }

  /* The filters as the API takes them: a handler's department always, the twice-escalated filter for
     supervisors only. */
  function apiValues(values) {
    var sent = {};
    Object.keys(values).forEach(function (name) {
      if (name !== "escalated" || sc.has("supervisor")) {
        sent[name] = values[name];
      }
    });
    if (sc.onlyHandler() && state.who.department) {
      sent.department = state.who.department;
    }
    return sent;
  }

  function viewKey(values) {
    return new URLSearchParams(apiValues(values)).toString();
  }

  /* Each page's cursor, by view, so that "previous" goes back without starting over (a page's own
     cursor is in the address, so a reload shows the same page). */
  function storedCursors(key) {
    try {
      var all = JSON.parse(sc.storageGet(PAGES_KEY) || "{}");
      return all && all.key === key && Array.isArray(all.cursors) ? all.cursors : [];
    } catch (error) {
      return [];
    }
  }

  function storeCursor(key, page, cursor) {
    var cursors = storedCursors(key);
    cursors[page - 1] = cursor;
    sc.storageSet(PAGES_KEY, JSON.stringify({ key: key, cursors: cursors }));
  }

  /* Go to a page of a view: the address changes, and the hash change opens it. */
  function go(values, page, cursor) {
    var params = new URLSearchParams(values);
    if (!Object.keys(values).length) {
      params.set("view", "all");
    }
    if (page > 1 && cursor) {
      params.set("page", String(page));
      params.set("cursor", cursor);
    }
    var target = "#queue?" + params.toString();
    if (window.location.hash === target) {
      sc.openQueue(params);
    } else {
      window.location.hash = target;
    }
  }

  function queueCaption(values, isDefault) {
    if (isDefault) {
      if (sc.has("supervisor")) {
        return t("staff.queue.view.overdue");
      }
      if (sc.mayRegister()) {
        return t("staff.queue.view.to_decide");
      }
    }
    if (sc.onlyHandler()) {
      return t("staff.queue.view.department");
    }
    return Object.keys(values).filter(function (name) { return name !== "order"; }).length
      ? t("staff.queue.filtered_caption")
      : t("staff.queue.open_caption");
  }

  /* One line of a list of cases (the queue, search results): the number links to the case. */
  sc.queueRow = function (item) {
    var codeLabel = sc.codeLabel;
    var number = String(item.tracking_no || "");
    var link = el("a", { className: "sc-code", text: number, attrs: { href: "#case=" + encodeURIComponent(number) } });
    var subject = el("td", { className: "sc-queue__subject" }, [document.createTextNode(String(item.subject || ""))]);
    if (item.confidential) {
      subject.appendChild(document.createTextNode(" "));
      subject.appendChild(el("span", { className: "pf-tag sc-tag--confidential", text: t("staff.confidential") }));
    }
    var department = item.department
      ? codeLabel(item.department)
      : t("staff.queue.unassigned") + " · " + t("staff.queue.suggested", { department: codeLabel(item.suggested_department) });
    var due = el("td", {});
    if (item.next_due) {
      due.appendChild(el("span", { className: "sc-due__label", text: P.pick(item.next_due.label) || item.next_due.kind }));
      due.appendChild(el("span", { className: "sc-due__at", text: sc.formatCompact(item.next_due.due_at) }));
    } else {
      due.appendChild(document.createTextNode(t("staff.queue.none")));
    }
    if (item.overdue) {
      due.appendChild(el("span", { className: "pf-tag pf-tag--red sc-tag--overdue", text: t("staff.overdue") }));
    }
    if (item.escalation_level >= 2) {
      due.appendChild(el("span", { className: "pf-tag pf-tag--red sc-tag--escalated", text: t("staff.escalated_twice") }));
    }
    if (item.delivery_failed) {
      subject.appendChild(document.createTextNode(" "));
      subject.appendChild(el("span", { className: "pf-tag sc-tag--undelivered", text: t("staff.delivery_failed") }));
    }
    return el("tr", { className: item.overdue ? "sc-row--overdue" : "", attrs: { "data-tracking-no": number } }, [
      el("th", { attrs: { scope: "row" } }, [link]),
      subject,
      el("td", {}, [el("span", { className: sc.statusTagClass(item.status), text: P.pick(item.status_label) || item.status })]),
      el("td", {}, [
        el("span", { className: "sc-cell__main", text: codeLabel(item.category) }),
        el("span", { className: "sc-cell__sub sc-department", text: department })
      ]),
      el("td", { text: item.priority ? codeLabel(item.priority) : t("staff.queue.none") }),
      el("td", { className: "sc-cell--time" }, [
        el("span", { className: "sc-cell__main", text: sc.formatCompact(item.submitted_at) }),
        el("span", { className: "sc-cell__sub", text: codeLabel(item.channel) })
      ]),
      due
    ]);
  };

  function pagerText(page, total) {
    if (total === null || total === undefined) {
      return t("staff.queue.page", { page: page });
    }
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return t("staff.queue.page_of", { page: page, pages: pages, total: total });
  }

  function load(values, page, cursor, isDefault) {
    var params = new URLSearchParams(apiValues(values));
    params.set("limit", String(PAGE_SIZE));
    params.set("total", "true");
    if (page > 1 && cursor) {
      params.set("cursor", cursor);
    }
    var mine = ++counter;
    sc.loading.textContent = t("staff.loading");
    sc.clearFormErrors(filters);
    sc.api("GET", "/admin/complaints?" + params.toString()).then(function (response) {
      if (mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        var error = P.apiError(response.body);
        var left = response.status === 400 ? sc.markFieldErrors(filters, error.fields || {}) : [];
        sc.showNotice(response.status === 400 && !left.length ? "" : [sc.errorMessage(response)].concat(left).join(" "));
        return;
      }
      sc.showNotice("");
      P.clear(queueBody);
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      items.forEach(function (item) {
        queueBody.appendChild(sc.queueRow(item));
      });
      var key = viewKey(values);
      shown = { values: values, page: page, next: response.body.cursor || null, key: key };
      storeCursor(key, page, page > 1 ? cursor : null);
      var total = typeof response.body.total === "number" ? response.body.total : null;
      $("sc-queue-table").hidden = items.length === 0;
      $("sc-queue-empty").hidden = items.length !== 0;
      $("sc-queue-previous").hidden = page <= 1;
      $("sc-queue-next").hidden = !shown.next;
      $("sc-queue-pager").hidden = page <= 1 && !shown.next;
      sc.setText("sc-queue-page", pagerText(page, total));
      var caption = queueCaption(values, isDefault);
      var count = total === null ? t("staff.queue.count", { count: items.length }) : t("staff.queue.total", { count: total });
      sc.setText("sc-queue-caption", caption + " " + count);
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counter) {
        return;
      }
      sc.loading.textContent = "";
      sc.showNotice(t("staff.error.network"));
    });
  }

  /* The queue as the address says (``query``: what follows #queue?), or the person's default view. */
  sc.openQueue = function (query) {
    var params = query || new URLSearchParams();
    sc.show("queue");
    document.title = sc.originalTitle;
    var explicit = params.get("view") === "all" || FILTERS.some(function (name) { return params.has(name); });
    var values = {};
    if (explicit) {
      FILTERS.forEach(function (name) {
        var value = params.get(name);
        if (value) {
          values[name] = value;
        }
      });
    } else {
      values = defaultView();
    }
    fillForm(values);
    var page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    load(values, page, params.get("cursor"), !explicit);
  };

  /* What the signed-in person's queue offers: supervisors filter the twice-escalated cases; a
     handler's department filter is fixed to their department. */
  sc.prepareQueue = function () {
    var who = state.who;
    $("sc-filter-escalated-group").hidden = !sc.has("supervisor");
    var filter = $("sc-filter-department");
    var locked = $("sc-department-locked");
    if (sc.onlyHandler() && who.department) {
      filter.value = who.department;
      filter.disabled = true;
      locked.textContent = t("staff.queue.department_locked", { department: sc.metaLabel("departments", who.department) });
      locked.hidden = false;
    } else {
      filter.disabled = false;
      locked.hidden = true;
    }
  };

  /* A page still on its way is not shown (after signing out). */
  sc.forgetQueue = function () {
    counter += 1;
  };

  filters.addEventListener("submit", function (event) {
    event.preventDefault();
    go(formValues(), 1, null);
  });

  $("sc-filters-reset").addEventListener("click", function () {
    go({}, 1, null);
  });

  $("sc-queue-next").addEventListener("click", function () {
    if (shown.next) {
      storeCursor(shown.key, shown.page + 1, shown.next);
      go(shown.values, shown.page + 1, shown.next);
    }
  });

  $("sc-queue-previous").addEventListener("click", function () {
    var page = shown.page - 1;
    var cursor = storedCursors(shown.key)[page - 1];
    // Without the earlier page's cursor (a link opened elsewhere), the view starts over.
    go(shown.values, cursor ? page : 1, cursor || null);
  });
})();
