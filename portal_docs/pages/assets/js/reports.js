/*
 * The staff console's Reports page: the monthly report of a month (GET /admin/reports/monthly),
 * its charts (SVG drawn by the API) each with its data table, its lists and its downloads.
 *
 * Signed in with the console's token: the console (staff.js) keeps it in this tab's sessionStorage
 * under the key below, and this page sends it as the console does, in an Authorization header.
 * Without one, or when the API answers 401, the page sends people to the console to sign in.
 *
 * Everything from the API is put in the page with textContent; the charts are parsed as SVG
 * documents (DOMParser), never as HTML, and hold no script and no style attribute.
 */
(function () {
  "use strict";

  var app = document.getElementById("reports-app");
  var P = window.Portal;
  if (!app || !P || !window.fetch || !window.DOMParser) {
    return;
  }
  var t = P.t;
  var el = P.el;
  var $ = function (id) {
    return document.getElementById(id);
  };

  // The console's own key (assets/js/staff.js TOKEN_KEY): one sign-in for both pages.
  var TOKEN_KEY = "complaint-portal.staff.token";
  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  var locale = P.lang === "zh" ? "zh-CN" : "en-GB";
  var counts = new Intl.NumberFormat(locale);
  var decimals = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var notice = $("rp-notice");
  var form = $("rp-form");
  var monthInput = $("rp-month");
  var sourceInput = $("rp-source");
  var loading = $("rp-loading");
  var report = $("rp-report");
  var current = null;

  function token() {
    var value;
    try {
      value = window.sessionStorage.getItem(TOKEN_KEY);
    } catch (error) {
      value = null;
    }
    if (!value) {
      return null;
    }
    var parts = value.split(".");
    try {
      var claims = JSON.parse(window.atob(parts[1].replace(/-/g, "+").replace(/_/g, "/")));
      if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
        return null;
      }
    } catch (error) {
      return null;
    }
    return value;
  }

  function showNotice(message) {
    notice.textContent = message || "";
    notice.hidden = !message;
  }

  function askToSignIn(message) {
    $("rp-app").hidden = true;
    $("rp-signin").hidden = false;
    showNotice(message || "");
    P.focus($("rp-signin-title"));
  }

  /* Figures as the report shows them: counts grouped, rates with one decimal and a per cent sign. */
  function shown(value, unit) {
    if (value === null || value === undefined) {
      return "—";
    }
    if (unit === "percent") {
      return decimals.format(value) + "%";
    }
    if (unit === "days") {
      return decimals.format(value);
    }
    return counts.format(value);
  }

  function cellText(value, type) {
    if (value === null || value === undefined || value === "") {
      return "—";
    }
    if (type === "datetime") {
      return P.formatDateTime(value);
    }
    if (type === "count") {
      return counts.format(value);
    }
    return String(value);
  }

  function figureTable(caption, rows, view) {
    var compare = view.compare;
    var head = el("tr", {}, [
      el("th", { text: t("staff.reports.item"), attrs: { scope: "col" } }),
      el("th", { text: compare.this_month + " (" + view.month + ")", attrs: { scope: "col" } }),
      el("th", { text: compare.previous.label + " (" + compare.previous.month + ")", attrs: { scope: "col" } }),
      el("th", { text: compare.year_before.label + " (" + compare.year_before.month + ")", attrs: { scope: "col" } })
    ]);
    var body = el("tbody", {}, rows.map(function (row) {
      return el("tr", {}, [
        el("th", { text: row.label, attrs: { scope: "row" } }),
        el("td", { className: "rp-number", text: shown(row.value, row.unit) }),
        el("td", { className: "rp-number", text: shown(row.previous, row.unit) }),
        el("td", { className: "rp-number", text: shown(row.year_before, row.unit) })
      ]);
    }));
    return el("table", { className: "pf-table rp-table" }, [
      caption ? el("caption", { text: caption }) : null,
      el("thead", {}, [head]),
      body
    ]);
  }

  function plainTable(caption, columns, rows, types) {
    return el("table", { className: "pf-table rp-table" }, [
      el("caption", { text: caption }),
      el("thead", {}, [el("tr", {}, columns.map(function (column) {
        return el("th", { text: column, attrs: { scope: "col" } });
      }))]),
      el("tbody", {}, rows.map(function (cells) {
        return el("tr", {}, cells.map(function (value, index) {
          var type = types ? types[index] : (typeof value === "number" ? "count" : "text");
          var node = el(index === 0 ? "th" : "td", { text: cellText(value, type) });
          if (index === 0) {
            node.setAttribute("scope", "row");
          }
          if (type === "count" || typeof value === "number") {
            node.className = "rp-number";
          }
          return node;
        }));
      }))
    ]);
  }

  function svgNode(markup) {
    var parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    var root = parsed.documentElement;
    if (!root || root.nodeName !== "svg" || parsed.getElementsByTagName("parsererror").length) {
      return null;
    }
    return document.importNode(root, true);
  }

  function renderCharts(view) {
    var list = $("rp-chart-list");
    P.clear(list);
    view.charts.forEach(function (chart) {
      var figure = el("figure", { className: "rp-chart" }, [
        el("figcaption", { className: "rp-chart__title", text: chart.title })
      ]);
      var drawing = svgNode(chart.svg);
      if (drawing) {
        figure.appendChild(el("div", { className: "rp-chart__drawing" }, [drawing]));
      }
      var table = chart.table;
      var percentColumns = chart.key === "on_time_by_clock";
      var rows = table.rows.map(function (cells) {
        return cells.map(function (value, index) {
          if (index === 0 || value === null) {
            return value;
          }
          if (percentColumns || (chart.key === "trend" && index > 1)) {
            return shown(value, "percent");
          }
          return value;
        });
      });
      figure.appendChild(el("div", { className: "rp-table-wrapper" }, [
        plainTable(t("staff.reports.chart_data", { title: chart.title }), table.columns, rows)
      ]));
      list.appendChild(figure);
    });
  }

  function renderSections(view) {
    var container = $("rp-sections");
    P.clear(container);
    view.sections.forEach(function (section) {
      var node = el("section", { className: "rp-section", attrs: { "aria-labelledby": "rp-section-" + section.key } }, [
        el("h3", { text: section.title, attrs: { id: "rp-section-" + section.key } }),
        el("p", { className: "rp-definition", text: section.definition })
      ]);
      section.tables.forEach(function (table) {
        node.appendChild(el("div", { className: "rp-table-wrapper" }, [figureTable(table.title, table.rows, view)]));
      });
      container.appendChild(node);
    });
  }

  function renderLists(view) {
    var container = $("rp-lists");
    P.clear(container);
    view.lists.forEach(function (list) {
      var node = el("section", { className: "rp-section", attrs: { "aria-labelledby": "rp-list-" + list.key } }, [
        el("h3", { text: list.title, attrs: { id: "rp-list-" + list.key } })
      ]);
      if (!list.rows) {
        // The month's complaints are in the downloads (the JSON only counts them); the page names how many.
        node.appendChild(el("p", { text: t("staff.reports.cases_in_downloads", { count: counts.format(list.count) }) }));
      } else if (!list.rows.length) {
        node.appendChild(el("p", { className: "pf-hint", text: t("staff.reports.list_empty") }));
      } else {
        node.appendChild(el("div", { className: "rp-table-wrapper" }, [
          plainTable(
            list.title,
            list.columns.map(function (c) { return c.label; }),
            list.rows,
            list.columns.map(function (c) { return c.type; })
          )
        ]));
      }
      container.appendChild(node);
    });
  }

  function render(view) {
    current = view;
    $("rp-title").textContent = view.title;
    var meta = view.source_label + " · " + t("staff.reports.as_at", { when: P.formatDateTime(view.as_at) });
    if (view.so_far) {
      meta += " · " + t("staff.reports.so_far");
    }
    $("rp-meta").textContent = meta;
    $("rp-summary-title").textContent = view.summary.title;
    var summary = $("rp-summary");
    P.clear(summary);
    summary.appendChild(figureTable(null, view.summary.rows, view));
    renderCharts(view);
    renderSections(view);
    renderLists(view);
    var definitions = $("rp-definitions");
    P.clear(definitions);
    view.definitions.forEach(function (item) {
      definitions.appendChild(el("dt", { text: item.title }));
      definitions.appendChild(el("dd", { text: item.text }));
    });
    report.hidden = false;
    P.focus($("rp-title"));
  }

  function query(extra) {
    var parts = ["lang=" + P.lang];
    if (monthInput.value) {
      parts.push("month=" + encodeURIComponent(monthInput.value));
    }
    if (sourceInput.value) {
      parts.push("source=" + encodeURIComponent(sourceInput.value));
    }
    return "/admin/reports/monthly?" + parts.concat(extra || []).join("&");
  }

  function failed(response) {
    var error = P.apiError(response.body);
    if (response.status === 401) {
      askToSignIn(t("staff.reports.signin_expired"));
      return;
    }
    var field = error.fields && error.fields.month;
    if (field) {
      P.markFieldError(form.querySelector('[data-field="month"]'), $("rp-month-error"), [monthInput], field);
      P.focus(monthInput);
    }
    showNotice(error.message || t("staff.reports.failed", { status: response.status }));
  }

  function load() {
    var bearer = token();
    if (!bearer) {
      askToSignIn("");
      return;
    }
    P.clearFieldErrors(form);
    showNotice("");
    loading.textContent = t("staff.reports.loading");
    var path = query();
    P.request("GET", path, { headers: { Authorization: "Bearer " + bearer } }).then(function (response) {
      loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        failed(response);
        return;
      }
      var state = "?month=" + encodeURIComponent(response.body.month) +
        (sourceInput.value ? "&source=" + encodeURIComponent(sourceInput.value) : "");
      window.history.replaceState(null, "", window.location.pathname + state);
      monthInput.value = response.body.month;
      render(response.body);
    }, function () {
      loading.textContent = "";
      showNotice(t("staff.reports.network_error"));
    });
  }

  function download(format, accept) {
    var bearer = token();
    if (!bearer || !current) {
      askToSignIn("");
      return;
    }
    loading.textContent = t("staff.reports.preparing");
    var path = "/admin/reports/monthly?lang=" + P.lang + "&month=" + encodeURIComponent(current.month) +
      "&source=" + current.source + "&format=" + format;
    window.fetch(P.apiBase + path, {
      headers: { Authorization: "Bearer " + bearer, Accept: accept, "Accept-Language": P.lang },
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      if (response.status === 401) {
        loading.textContent = "";
        askToSignIn(t("staff.reports.signin_expired"));
        return null;
      }
      if (!response.ok) {
        loading.textContent = "";
        showNotice(t("staff.reports.failed", { status: response.status }));
        return null;
      }
      var disposition = response.headers.get("Content-Disposition") || "";
      var match = /filename="([^"]+)"/.exec(disposition);
      return response.blob().then(function (blob) {
        var link = el("a", { attrs: { href: window.URL.createObjectURL(blob), download: match ? match[1] : "report." + format } });
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        window.setTimeout(function () { window.URL.revokeObjectURL(link.href); }, 10000);
        loading.textContent = t("staff.reports.downloaded");
      });
    }, function () {
      loading.textContent = "";
      showNotice(t("staff.reports.network_error"));
    });
  }

  function start() {
    if (!token()) {
      askToSignIn("");
      return;
    }
    $("rp-app").hidden = false;
    var params = new window.URLSearchParams(window.location.search);
    monthInput.value = /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : P.todayInBeijing().slice(0, 7);
    if (["live", "snapshot"].indexOf(params.get("source")) >= 0) {
      sourceInput.value = params.get("source");
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
    $("rp-xlsx").addEventListener("click", function () { download("xlsx", XLSX); });
    $("rp-csv").addEventListener("click", function () { download("csv", "text/csv"); });
    $("rp-print").addEventListener("click", function () { window.print(); });
    load();
  }

  start();
})();
