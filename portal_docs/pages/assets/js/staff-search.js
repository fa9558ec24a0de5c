/*
 * The staff console's search: the search box on every page of the console, the results screen
 * (#search=TEXT, so a reload or a shared link runs the same search), and the panel of the
 * complainant's other complaints on a case's page. The API decides what each reading of the text
 * finds, and logs every search.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  if (!sc) {
    return;
  }
  var P = sc.P;
  var t = P.t;
  var el = P.el;
  var $ = sc.$;
  var form = $("sc-search-form");
  var input = $("sc-search-q");
  var results = $("sc-search-table");
  var resultsBody = results.querySelector("tbody");
  var related = $("sc-related");
  var counters = { search: 0, related: 0 };
  sc.sections.search = $("sc-search");

  function matchedText(item) {
    return (item.matched || []).map(function (kind) {
      return t("staff.search.kind." + kind);
    }).join(P.lang === "zh" ? "、" : ", ");
  }

  function showError(message) {
    var slot = $("sc-search-q-error");
    slot.textContent = message;
    slot.hidden = !message;
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "sc-search-q-error");
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }

  function caption(body, count) {
    if (!count) {
      return t("staff.search.none");
    }
    return t(body.more ? "staff.search.count_more" : "staff.search.count", { count: count });
  }

  function open(text) {
    sc.show("search");
    sc.showNotice("");
    showError("");
    input.value = text;
    document.title = t("staff.search.title") + " - " + sc.originalTitle;
    setResults(null);
    var mine = ++counters.search;
    sc.loading.textContent = t("staff.loading");
    sc.api("GET", "/admin/search?" + new URLSearchParams({ q: text }).toString()).then(function (response) {
      if (mine !== counters.search) {
        return;
      }
      sc.loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        var error = P.apiError(response.body);
        var fields = error.fields || {};
        showError(fields.q || "");
        sc.showNotice(fields.q ? "" : sc.errorMessage(response));
        P.focus(fields.q ? input : $("sc-search-title"));
        return;
      }
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      if (response.body.tracking_no && items.length === 1) {
        // A tracking number goes straight to its case; going back returns to the page before.
        window.location.replace("#case=" + encodeURIComponent(items[0].tracking_no));
        return;
      }
      setResults(response.body);
      P.focus($("sc-search-title"));
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counters.search) {
        return;
      }
      sc.loading.textContent = "";
      sc.showNotice(t("staff.error.network"));
    });
  }

  function setResults(body) {
    P.clear(resultsBody);
    var items = body && Array.isArray(body.items) ? body.items : [];
    items.forEach(function (item) {
      var line = sc.queueRow(item);
      line.appendChild(el("td", { className: "sc-search__matched", text: matchedText(item) }));
      resultsBody.appendChild(line);
    });
    results.hidden = !items.length;
    sc.setText("sc-search-caption", body ? caption(body, items.length) : "");
    $("sc-search-more").hidden = !(body && body.more);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      sc.show("search");
      setResults(null);
      showError(t("staff.search.empty"));
      P.focus(input);
      return;
    }
    var target = "#search=" + encodeURIComponent(text);
    if (window.location.hash === target) {
      open(text);
    } else {
      window.location.hash = target;
    }
  });

  /* The complainant's other complaints, under the complainant on a case's page. */
  function loadRelated(c) {
    var mine = ++counters.related;
    var status = $("sc-related-status");
    P.clear(related);
    related.hidden = true;
    status.textContent = t("staff.loading");
    sc.api("GET", "/admin/complaints/" + encodeURIComponent(c.tracking_no) + "/history").then(function (response) {
      if (mine !== counters.related) {
        return;
      }
      if (response.status !== 200 || !response.body) {
        status.textContent = sc.errorMessage(response);
        return;
      }
      var body = response.body;
      var items = Array.isArray(body.items) ? body.items : [];
      if (!body.visible) {
        status.textContent = t("staff.related.hidden");
        return;
      }
      status.textContent = items.length
        ? t(body.more ? "staff.related.count_more" : "staff.related.count", { count: items.length })
        : t("staff.related.none");
      items.forEach(function (item) {
        var number = String(item.tracking_no || "");
        related.appendChild(el("li", { className: "sc-related__item", attrs: { "data-tracking-no": number } }, [
          el("a", { className: "sc-code", text: number, attrs: { href: "#case=" + encodeURIComponent(number) } }),
          el("span", { className: sc.statusTagClass(item.status), text: P.pick(item.status_label) || item.status }),
          el("span", { className: "sc-related__date", text: sc.formatCompact(item.submitted_at) }),
          el("span", { className: "sc-related__subject", text: String(item.subject || "") }),
          el("span", { className: "sc-related__matched", text: t("staff.related.same", { what: matchedText(item) }) })
        ]));
      });
      related.hidden = !items.length;
    }).catch(function (error) {
      if (error === sc.HANDLED || mine !== counters.related) {
        return;
      }
      status.textContent = t("staff.error.network");
    });
  }

  sc.openSearch = open;
  sc.loadRelated = loadRelated;
})();
