/*
 * The staff console's core, loaded before its screens: the state they share, calling the admin API,
 * the lists from GET /meta, showing one screen at a time, and errors beside form fields. Each screen
 * is a file of its own (staff-signin.js, staff-queue.js, staff-case.js, staff-actions.js,
 * staff-messages.js, staff-register.js, staff-search.js, staff-access.js, staff-callbacks.js,
 * staff-documents.js, staff-attachments.js) that adds what it offers to window.StaffConsole;
 * staff.js, loaded last, reads the address and starts the console.
 *
 * Everything people wrote (subjects, descriptions, notes, names...) is put in the page with
 * textContent or text nodes, never as HTML.
 */
(function () {
  "use strict";

  var app = document.getElementById("staff-app");
  var P = window.Portal;
  if (!app || !P || !window.fetch) {
    return;
  }
  var t = P.t;
  var el = P.el;
  var $ = function (id) {
    return document.getElementById(id);
  };

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) {
      return {};
    }
    try {
      return JSON.parse(node.textContent) || {};
    } catch (error) {
      return {};
    }
  }

  var config = readJson("staff-config");
  var notice = $("sc-notice");
  var loading = $("sc-loading");
  var compactDateTime = new Intl.DateTimeFormat(P.lang === "zh" ? "zh-CN" : "en-GB", {
    timeZone: P.timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23"
  });
  var offsetMs = P.utcOffsetHours * 3600 * 1000;

  var sc = {
    P: P,
    t: t,
    el: el,
    $: $,
    app: app,
    auth: config.auth || {},
    fieldLabels: config.fields || {},
    languageLabels: config.languages || {},
    // Thrown (as a rejection) when a response was fully dealt with, e.g. a 401 that signed out.
    HANDLED: { handled: true },
    originalTitle: document.title,
    loading: loading,
    // One screen is shown at a time; each screen's file registers its section and how to open it.
    sections: {},
    state: {
      token: null,
      who: null,
      meta: null,
      metaRequest: null,
      current: null,
      busy: false,
      // The answer to the last registration in this page: its receipt may be printed once.
      lastReceipt: null
    },
    // Called when the API refuses the token (staff-signin.js signs out and says why).
    onUnauthorized: function () {}
  };
  sc.cognito = Boolean(sc.auth.cognitoDomain && sc.auth.clientId);

  // ------------------------------------------------------------------ small helpers

  sc.storageGet = function (key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (error) {
      return null;
    }
  };

  sc.storageSet = function (key, value) {
    try {
      if (value === null) {
        window.sessionStorage.removeItem(key);
      } else {
        window.sessionStorage.setItem(key, value);
      }
    } catch (error) {
      /* private mode: the token then lives as long as the page */
    }
  };

  sc.setText = function (id, value) {
    $(id).textContent = value === null || value === undefined ? "" : String(value);
  };

  sc.formatCompact = function (iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : compactDateTime.format(date);
  };

  /* "2026-11-24T02:00:00Z" -> "2026-11-24T10:00" (a datetime-local value in the portal's time zone). */
  sc.localValue = function (iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "";
    }
    return new Date(date.getTime() + offsetMs).toISOString().slice(0, 16);
  };

  /* A datetime-local value, read in the portal's time zone, with its offset for the API. */
  sc.withOffset = function (value) {
    var hours = Math.abs(P.utcOffsetHours);
    var offset = (P.utcOffsetHours < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + hours + ":00";
    return (value.length === 16 ? value + ":00" : value) + offset;
  };

  sc.showNotice = function (message) {
    notice.textContent = message;
    notice.hidden = !message;
  };

  sc.statusTagClass = function (status) {
    return "pf-tag pf-tag--" + String(status || "").replace(/[^a-z_]/g, "");
  };

  sc.setStatusTag = function (node, code, label) {
    node.className = sc.statusTagClass(code);
    node.textContent = P.pick(label) || String(code || "");
  };

  sc.codeLabel = function (value) {
    return value ? P.pick(value.label) || String(value.code || "") : "";
  };

  // ------------------------------------------------------------------ who is signed in

  sc.has = function (role) {
    return Boolean(sc.state.who && sc.state.who.roles.indexOf(role) >= 0);
  };

  sc.mayRegister = function () {
    return sc.has("officer") || sc.has("supervisor");
  };

  sc.onlyHandler = function () {
    return sc.has("handler") && !sc.mayRegister();
  };

  // ------------------------------------------------------------------ calling the API

  sc.api = function (method, path, json, headers) {
    var all = { "Authorization": "Bearer " + sc.state.token };
    Object.keys(headers || {}).forEach(function (name) {
      all[name] = headers[name];
    });
    return P.request(method, path, { json: json, headers: all }).then(function (response) {
      if (response.status === 401) {
        sc.onUnauthorized();
        throw sc.HANDLED;
      }
      return response;
    });
  };

  sc.errorMessage = function (response) {
    var error = P.apiError(response.body);
    return error.message || t("staff.error.server", { status: response.status });
  };

  // ------------------------------------------------------------------ the lists of GET /meta

  sc.loadMeta = function () {
    var state = sc.state;
    if (!state.metaRequest) {
      state.metaRequest = P.request("GET", "/meta").then(function (response) {
        if (response.status !== 200 || !response.body) {
          throw new Error("meta " + response.status);
        }
        state.meta = response.body;
        fillOptions();
        return state.meta;
      });
      state.metaRequest.catch(function () {
        state.metaRequest = null;
      });
    }
    return state.metaRequest;
  };

  sc.metaList = function (kind) {
    return (sc.state.meta && sc.state.meta[kind]) || [];
  };

  sc.metaLabel = function (kind, code) {
    var list = sc.metaList(kind);
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].code === code) {
        return P.pick(list[i].label);
      }
    }
    return code === null || code === undefined ? "" : String(code);
  };

  /* Each action's tag says who sees what is written in it, as its definition in /meta says. */
  function tagActions() {
    sc.metaList("staff_actions").forEach(function (action) {
      var tag = app.querySelector('details.sc-action[data-action="' + action.code + '"] .sc-action__visibility');
      if (!tag) {
        return;
      }
      var internal = action.visibility === "internal";
      tag.className = "pf-tag sc-action__visibility " + (internal ? "sc-tag--internal" : "sc-tag--public");
      tag.textContent = t(internal ? "staff.visibility.internal" : "staff.visibility.public");
      tag.hidden = false;
    });
  }

  function fillOptions() {
    tagActions();
    Array.prototype.forEach.call(app.querySelectorAll("select[data-options]"), function (select) {
      var kind = select.getAttribute("data-options");
      var keep = select.value;
      Array.prototype.slice.call(select.options).forEach(function (option) {
        if (option.value !== "") {
          select.removeChild(option);
        }
      });
      sc.metaList(kind).forEach(function (item) {
        select.appendChild(el("option", { text: P.pick(item.label), attrs: { value: item.code } }));
      });
      if (keep) {
        select.value = keep;
      }
    });
  }

  // ------------------------------------------------------------------ one screen at a time

  var navigation = [
    ["sc-nav-queue", "queue"],
    ["sc-nav-register", "register"],
    ["sc-nav-callbacks", "callbacks"],
    ["sc-nav-access", "access"]
  ];

  sc.show = function (name) {
    Object.keys(sc.sections).forEach(function (key) {
      sc.sections[key].hidden = key !== name;
    });
    navigation.forEach(function (pair) {
      if (pair[1] === name) {
        $(pair[0]).setAttribute("aria-current", "page");
      } else {
        $(pair[0]).removeAttribute("aria-current");
      }
    });
  };

  // ------------------------------------------------------------------ form errors

  sc.clearFormErrors = function (form) {
    P.clearFieldErrors(form);
  };

  sc.fillErrorSlot = function (slot, message) {
    P.clear(slot);
    slot.appendChild(el("span", { className: "pf-visually-hidden", text: t("common.error_prefix") + " " }));
    slot.appendChild(document.createTextNode(message));
    slot.hidden = false;
  };

  /* Puts each message beside its field; returns the messages no field of the form could take. */
  sc.markFieldErrors = function (form, fields) {
    var left = [];
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var message = String(fields[name]);
      var group = form.querySelector('[data-field="' + name + '"]');
      var slot = group && group.querySelector(".pf-error-message");
      if (!group || !slot || group.closest("[hidden]")) {
        left.push((sc.fieldLabels[name] ? sc.fieldLabels[name] + ": " : "") + message);
        return;
      }
      var control = group.querySelector("input, select, textarea");
      P.markFieldError(group, slot, control ? [control] : [], message);
      if (control) {
        first = first || control;
      }
    });
    if (first) {
      first.focus();
    }
    return left;
  };

  window.StaffConsole = sc;
})();
