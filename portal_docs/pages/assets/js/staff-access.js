/*
 * The access log, for supervisors: on a case's page, who saw its complainant and when; and a screen
 * of one staff member's entries between two days (#access?staff_id=...&from=...&to=..., so a reload
 * or a link shows the same). Searches appear with the kinds of identifier they used; the
 * identifiers themselves are only in the log as keyed hashes.
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
  var form = $("sc-access-form");
  var counters = { screen: 0, "case": 0 };
  sc.sections.access = $("sc-access");

  function purposeText(entry) {
    var key = "staff.access.purpose." + entry.purpose;
    var text = t(key) === key ? String(entry.purpose || "") : t(key);
    var kinds = (entry.identifier_kinds || []).map(function (kind) {
      return t("staff.search.kind." + kind);
    });
    return kinds.length ? text + t("staff.access.by_kinds", { kinds: kinds.join(P.lang === "zh" ? "、" : ", ") }) : text;
  }

  function staffLink(entry) {
    var params = new URLSearchParams({ staff_id: String(entry.staff_id || "") });
    return el("a", { text: String(entry.staff_name || entry.staff_id || ""), attrs: { href: "#access?" + params.toString() } });
  }

  function fill(table, items, caseColumn) {
    var body = table.querySelector("tbody");
    P.clear(body);
    items.forEach(function (entry) {
      var cells = [
        el("td", { className: "sc-cell--time", text: sc.formatCompact(entry.at) }),
        el("td", {}, [
          el("span", { className: "sc-cell__main" }, [staffLink(entry)]),
          el("span", { className: "sc-cell__sub", text: sc.metaLabel("roles", entry.role) })
        ]),
        el("td", { text: purposeText(entry) })
      ];
      if (caseColumn) {
        var number = entry.tracking_no ? String(entry.tracking_no) : "";
        cells.push(el("td", {}, number
          ? [el("a", { className: "sc-code", text: number, attrs: { href: "#case=" + encodeURIComponent(number) } })]
          : []));
      }
      body.appendChild(el("tr", { attrs: { "data-purpose": String(entry.purpose || "") } }, cells));
    });
    table.hidden = !items.length;
  }

  /* On a case's page, for supervisors (the API refuses the others). */
  sc.loadCaseAccess = function (c) {
    var panel = $("sc-case-access");
    panel.hidden = !sc.has("supervisor");
    if (panel.hidden) {
      return;
    }
    var mine = ++counters["case"];
    var status = $("sc-case-access-status");
    var table = $("sc-case-access-table");
    table.hidden = true;
    status.textContent = t("staff.loading");
    sc.api("GET", "/admin/complaints/" + encodeURIComponent(c.tracking_no) + "/access-log").then(function (response) {
      if (mine !== counters["case"]) {
        return;
      }
      if (response.status !== 200 || !response.body) {
        status.textContent = sc.errorMessage(response);
        return;
      }
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      status.textContent = items.length ? t("staff.access.case_count", { count: items.length }) : t("staff.access.none");
      fill(table, items, false);
    }).catch(function (error) {
      if (error !== sc.HANDLED && mine === counters["case"]) {
        status.textContent = t("staff.error.network");
      }
    });
  };

  /* The screen of one staff member's entries (``query``: what follows #access?). */
  sc.openAccess = function (query) {
    var params = query || new URLSearchParams();
    sc.show("access");
    sc.showNotice("");
    document.title = t("staff.access.title") + " - " + sc.originalTitle;
    sc.clearFormErrors(form);
    ["staff_id", "from", "to"].forEach(function (name) {
      form.elements.namedItem(name).value = params.get(name) || "";
    });
    var table = $("sc-access-table");
    table.hidden = true;
    sc.setText("sc-access-caption", "");
    if (!params.get("staff_id")) {
      P.focus($("sc-access-title"));
      return;
    }
    var mine = ++counters.screen;
    sc.loading.textContent = t("staff.loading");
    sc.api("GET", "/admin/access-log?" + params.toString()).then(function (response) {
      if (mine !== counters.screen) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        var error = P.apiError(response.body);
        var left = response.status === 400 ? sc.markFieldErrors(form, error.fields || {}) : [];
        sc.showNotice(response.status === 400 && !left.length ? "" : [sc.errorMessage(response)].concat(left).join(" "));
        return;
      }
      var body = response.body;
      var items = Array.isArray(body.items) ? body.items : [];
      form.elements.namedItem("from").value = body.from || "";
      form.elements.namedItem("to").value = body.to || "";
      sc.setText("sc-access-caption", items.length
        ? t("staff.access.count", { from: P.formatDate(body.from), to: P.formatDate(body.to), count: items.length })
        : t("staff.access.none"));
      fill(table, items, true);
      P.focus($("sc-access-title"));
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counters.screen) {
        return;
      }
      sc.loading.textContent = "";
      sc.showNotice(t("staff.error.network"));
    });
  };

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    ["staff_id", "from", "to"].forEach(function (name) {
      var value = String(form.elements.namedItem(name).value || "").trim();
      if (value) {
        params.set(name, value);
      }
    });
    if (!params.get("staff_id")) {
      sc.clearFormErrors(form);
      sc.markFieldErrors(form, { staff_id: t("staff.access.staff_id_missing") });
      return;
    }
    var target = "#access?" + params.toString();
    if (window.location.hash === target) {
      sc.openAccess(params);
    } else {
      window.location.hash = target;
    }
  });
})();
