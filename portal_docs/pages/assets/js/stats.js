/*
 * The public statistics page: the published statistics of the last twelve months
 * (GET /stats/monthly), their chart (SVG drawn by the API) with its data table, and the counts by
 * category. Suppressed figures are shown as the API flags them ("<5", "x", "—") and explained.
 * Everything is put in the page with textContent; the chart is parsed as an SVG document.
 */
(function () {
  "use strict";

  var app = document.getElementById("stats-app");
  var P = window.Portal;
  if (!app || !P || !window.fetch || !window.DOMParser) {
    return;
  }
  var t = P.t;
  var el = P.el;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var counts = new Intl.NumberFormat(P.lang === "zh" ? "zh-CN" : "en-GB");

  function shown(cell, unit) {
    if (!cell || cell.flag === "small") {
      return { text: "<5", title: t("stats.small") };
    }
    if (cell.flag === "withheld") {
      return { text: "x", title: t("stats.withheld") };
    }
    if (cell.flag === "too_few" || cell.value === null || cell.value === undefined) {
      return { text: "—", title: t("stats.too_few") };
    }
    if (unit === "percent") {
      return { text: counts.format(cell.value) + "%", title: "" };
    }
    return { text: counts.format(cell.value), title: "" };
  }

  function cell(tag, value, unit) {
    var figure = shown(value, unit);
    var node = el(tag, { className: "rp-number" }, [figure.text]);
    if (figure.title) {
      node.appendChild(el("span", { className: "pf-visually-hidden", text: " (" + figure.title + ")" }));
    }
    return node;
  }

  function table(caption, head, rows) {
    return el("table", { className: "pf-table rp-table" }, [
      el("caption", { text: caption }),
      el("thead", {}, [el("tr", {}, head.map(function (text) {
        return el("th", { text: text, attrs: { scope: "col" } });
      }))]),
      el("tbody", {}, rows)
    ]);
  }

  function monthLabel(month) {
    var parts = String(month).split("-");
    return P.lang === "zh" ? parts[0] + "年" + Number(parts[1]) + "月" : month;
  }

  function render(data) {
    $("st-title").textContent = data.charts[0].title;
    var months = data.months;
    $("st-period").textContent = t("stats.period", {
      first: monthLabel(months[0].month),
      last: monthLabel(months[months.length - 1].month),
      published: P.formatDateTime(data.published_at)
    });
    var figure = $("st-chart");
    P.clear(figure);
    var parsed = new window.DOMParser().parseFromString(data.charts[0].svg, "image/svg+xml");
    if (parsed.documentElement && parsed.documentElement.nodeName === "svg" &&
        !parsed.getElementsByTagName("parsererror").length) {
      figure.appendChild(el("div", { className: "rp-chart__drawing" }, [document.importNode(parsed.documentElement, true)]));
    }
    var head = [t("stats.month"), data.labels.received, data.labels.accepted_share, data.labels.on_time_response_rate,
      data.labels.satisfaction_rate, data.labels.mean_working_days_to_respond];
    P.clear($("st-months"));
    $("st-months").appendChild(table(t("stats.table_months"), head, months.map(function (row) {
      return el("tr", {}, [
        el("th", { text: monthLabel(row.month), attrs: { scope: "row" } }),
        cell("td", row.received),
        cell("td", row.accepted_share, "percent"),
        cell("td", row.on_time_response_rate, "percent"),
        cell("td", row.satisfaction_rate, "percent"),
        cell("td", row.mean_working_days_to_respond)
      ]);
    })));
    P.clear($("st-categories"));
    $("st-categories").appendChild(table(
      t("stats.table_categories"),
      [t("stats.category")].concat(months.map(function (row) { return monthLabel(row.month); })),
      data.categories.map(function (category) {
        return el("tr", {}, [el("th", { text: P.pick(category.label), attrs: { scope: "row" } })].concat(
          months.map(function (row) { return cell("td", row.received_by_category[category.code]); })
        ));
      })
    ));
    $("st-result").hidden = false;
  }

  $("st-loading").textContent = t("stats.loading");
  P.request("GET", "/stats/monthly?lang=" + P.lang).then(function (response) {
    $("st-loading").textContent = "";
    if (response.status === 404) {
      $("st-notice").textContent = t("stats.none");
      $("st-notice").hidden = false;
      return;
    }
    if (response.status !== 200 || !response.body) {
      $("st-notice").textContent = t("stats.failed", { status: response.status });
      $("st-notice").hidden = false;
      return;
    }
    render(response.body);
  }, function () {
    $("st-loading").textContent = "";
    $("st-notice").textContent = t("stats.network_error");
    $("st-notice").hidden = false;
  });
})();
