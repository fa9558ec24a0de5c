/*
 * The staff console: sign-in, the queue, a case and its actions, and the registration of
 * complaints received by other channels, all through the admin API (/admin/...).
 *
 * Sign-in: a token from the URL fragment (#token=..., the link ./scripts/serve prints), a pasted
 * token (local stack), or the Cognito hosted UI (authorization code + PKCE) when the site was
 * built with extra.staff_auth. The token lives in sessionStorage and goes in an Authorization
 * header on every admin call; its payload is decoded here only to show who is signed in.
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

  var config = readJson("staff-config");
  var auth = config.auth || {};
  var fieldLabels = config.fields || {};
  var languageLabels = config.languages || {};
  var cognito = Boolean(auth.cognitoDomain && auth.clientId);

  var TOKEN_KEY = "complaint-portal.staff.token";
  var PKCE_KEY = "complaint-portal.staff.pkce";
  var ROLES = ["supervisor", "officer", "handler"];
  // Thrown (as a rejection) when a response was fully dealt with, e.g. a 401 that signed out.
  var HANDLED = { handled: true };

  var locale = P.lang === "zh" ? "zh-CN" : "en-GB";
  var compactDateTime = new Intl.DateTimeFormat(locale, {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23"
  });

  var $ = function (id) {
    return document.getElementById(id);
  };
  var originalTitle = document.title;
  var notice = $("sc-notice");
  var signin = $("sc-signin");
  var consoleView = $("sc-console");
  var loading = $("sc-loading");
  var sections = { queue: $("sc-queue"), "case": $("sc-case"), register: $("sc-register") };

  var state = {
    token: null,
    who: null,
    meta: null,
    metaRequest: null,
    queueCursor: null,
    queueCounter: 0,
    caseCounter: 0,
    current: null,
    busy: false,
    registerKey: P.uuid(),
    messagesCounter: 0
  };

  // ------------------------------------------------------------------ small helpers

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

  function storageGet(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      if (value === null) {
        window.sessionStorage.removeItem(key);
      } else {
        window.sessionStorage.setItem(key, value);
      }
    } catch (error) {
      /* private mode: the token then lives as long as the page */
    }
  }

  function setText(id, value) {
    $(id).textContent = value === null || value === undefined ? "" : String(value);
  }

  function formatCompact(iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : compactDateTime.format(date);
  }

  /* "2026-11-24T02:00:00Z" -> "2026-11-24T10:00" (a datetime-local value in Beijing time). */
  function beijingLocalValue(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "";
    }
    var shifted = new Date(date.getTime() + 8 * 3600 * 1000);
    return shifted.toISOString().slice(0, 16);
  }

  /* A datetime-local value, read as Beijing time, with its offset for the API. */
  function withBeijingOffset(value) {
    return (value.length === 16 ? value + ":00" : value) + "+08:00";
  }

  function showNotice(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  function statusTagClass(status) {
    return "pf-tag pf-tag--" + String(status || "").replace(/[^a-z_]/g, "");
  }

  function setStatusTag(node, code, label) {
    node.className = statusTagClass(code);
    node.textContent = P.pick(label) || String(code || "");
  }

  // ------------------------------------------------------------------ the token

  function base64UrlDecode(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return new TextDecoder("utf-8").decode(bytes);
  }

  function base64UrlEncode(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* The claims of a JWT, for display only (the API verifies the signature), or null. */
  function claimsOf(token) {
    var parts = String(token || "").split(".");
    if (parts.length !== 3) {
      return null;
    }
    try {
      var claims = JSON.parse(base64UrlDecode(parts[1]));
      return claims && typeof claims === "object" ? claims : null;
    } catch (error) {
      return null;
    }
  }

  function isExpired(claims) {
    return typeof claims.exp === "number" && claims.exp * 1000 < Date.now();
  }

  function whoFrom(claims) {
    var groups = Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"] : [];
    var department = claims["custom:department"] || null;
    groups.forEach(function (group) {
      if (!department && typeof group === "string" && group.indexOf("department:") === 0) {
        department = group.slice("department:".length);
      }
    });
    return {
      name: String(claims.name || claims["cognito:username"] || claims.email || claims.sub || ""),
      roles: ROLES.filter(function (role) {
        return groups.indexOf(role) >= 0;
      }),
      department: department
    };
  }

  function has(role) {
    return Boolean(state.who && state.who.roles.indexOf(role) >= 0);
  }

  function mayRegister() {
    return has("officer") || has("supervisor");
  }

  function onlyHandler() {
    return has("handler") && !mayRegister();
  }

  /* Reads #token=... from the address, removes it from the address bar and the history. */
  function takeFragmentToken() {
    var match = /^#token=([^&]+)/.exec(window.location.hash || "");
    if (!match) {
      return null;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    try {
      return decodeURIComponent(match[1]).trim();
    } catch (error) {
      return match[1];
    }
  }

  function forget() {
    state.token = null;
    state.who = null;
    state.current = null;
    storageSet(TOKEN_KEY, null);
  }

  /* Keeps a token if it can be read and has not expired; otherwise says why not. */
  function adopt(token) {
    var claims = claimsOf(token);
    if (!claims) {
      return t("staff.signin.token_invalid");
    }
    if (isExpired(claims)) {
      return t("staff.signin.token_expired");
    }
    storageSet(TOKEN_KEY, token);
    return null;
  }

  // ------------------------------------------------------------------ calling the API

  function api(method, path, json, headers) {
    var all = { "Authorization": "Bearer " + state.token };
    Object.keys(headers || {}).forEach(function (name) {
      all[name] = headers[name];
    });
    return P.request(method, path, { json: json, headers: all }).then(function (response) {
      if (response.status === 401) {
        forget();
        showSignIn(t("staff.signin.unauthorized"));
        throw HANDLED;
      }
      return response;
    });
  }

  function errorMessage(response) {
    var error = P.apiError(response.body);
    return error.message || t("staff.error.server", { status: response.status });
  }

  function loadMeta() {
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
  }

  function metaList(kind) {
    return (state.meta && state.meta[kind]) || [];
  }

  function metaLabel(kind, code) {
    var list = metaList(kind);
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].code === code) {
        return P.pick(list[i].label);
      }
    }
    return code === null || code === undefined ? "" : String(code);
  }

  /* Each action's tag says who sees what is written in it, as its definition in /meta says. */
  function tagActions() {
    metaList("staff_actions").forEach(function (action) {
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
      metaList(kind).forEach(function (item) {
        select.appendChild(el("option", { text: P.pick(item.label), attrs: { value: item.code } }));
      });
      if (keep) {
        select.value = keep;
      }
    });
  }

  // ------------------------------------------------------------------ sign-in and sign-out

  function showSignIn(message) {
    consoleView.hidden = true;
    signin.hidden = false;
    $("sc-signin-cognito").hidden = !cognito;
    $("sc-signin-local").hidden = cognito;
    showNotice(message || "");
    document.title = originalTitle;
  }

  function showConsole() {
    signin.hidden = true;
    consoleView.hidden = false;
    var who = state.who;
    setText("sc-who-name", who.name);
    setText("sc-who-roles", who.roles.map(function (role) {
      return metaLabel("roles", role);
    }).join(P.lang === "zh" ? "、" : ", "));
    setText("sc-who-department", who.department ? "· " + metaLabel("departments", who.department) : "");
    $("sc-nav-register").hidden = !mayRegister();
    $("sc-filter-escalated-group").hidden = !has("supervisor");

    var filter = $("sc-filter-department");
    var locked = $("sc-department-locked");
    if (onlyHandler() && who.department) {
      filter.value = who.department;
      filter.disabled = true;
      locked.textContent = t("staff.queue.department_locked", { department: metaLabel("departments", who.department) });
      locked.hidden = false;
    } else {
      filter.disabled = false;
      locked.hidden = true;
    }
  }

  /* Starts the console with the stored token, or shows the sign-in panel. */
  function boot(message) {
    state.token = storageGet(TOKEN_KEY);
    var claims = state.token ? claimsOf(state.token) : null;
    if (!claims) {
      forget();
      showSignIn(message);
      return;
    }
    if (isExpired(claims)) {
      forget();
      showSignIn(t("staff.signin.expired"));
      return;
    }
    state.who = whoFrom(claims);
    if (!state.who.roles.length) {
      forget();
      showSignIn(t("staff.who.no_role"));
      return;
    }
    showNotice(message || "");
    loading.textContent = t("staff.loading");
    loadMeta().then(function () {
      loading.textContent = "";
      showConsole();
      route();
    }, function () {
      loading.textContent = "";
      showConsole();
      showNotice(t("staff.error.meta"));
      route();
    });
  }

  $("sc-token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    clearFormErrors(form);
    var token = form.elements.namedItem("token").value.replace(/\s+/g, "");
    var problem = token ? adopt(token) : t("staff.signin.token_invalid");
    if (problem) {
      markFieldErrors(form, { token: problem });
      return;
    }
    form.reset();
    boot();
  });

  $("sc-signout").addEventListener("click", function () {
    forget();
    state.queueCounter += 1; // a queue page still on its way must not clear the sign-out message
    if (cognito) {
      var params = new URLSearchParams({ client_id: auth.clientId, logout_uri: redirectUri() });
      window.location.assign(auth.cognitoDomain + "/logout?" + params.toString());
      return;
    }
    window.history.replaceState(null, "", window.location.pathname);
    showSignIn(t("staff.signin.signed_out"));
    P.focus($("sc-signin-title"));
  });

  // ------------------------------------------------------------------ Cognito hosted UI (PKCE)

  function redirectUri() {
    return window.location.origin + window.location.pathname;
  }

  function randomString(byteCount) {
    var bytes = new Uint8Array(byteCount);
    window.crypto.getRandomValues(bytes);
    return base64UrlEncode(bytes);
  }

  function startCognitoSignIn() {
    if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
      showNotice(t("staff.signin.no_crypto"));
      return;
    }
    var verifier = randomString(48);
    var expected = randomString(24);
    window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
      storageSet(PKCE_KEY, JSON.stringify({ verifier: verifier, state: expected, hash: window.location.hash }));
      var params = new URLSearchParams({
        response_type: "code",
        client_id: auth.clientId,
        redirect_uri: redirectUri(),
        scope: auth.scopes || "openid email profile",
        state: expected,
        code_challenge: base64UrlEncode(new Uint8Array(digest)),
        code_challenge_method: "S256"
      });
      window.location.assign(auth.cognitoDomain + "/oauth2/authorize?" + params.toString());
    }, function () {
      showNotice(t("staff.signin.no_crypto"));
    });
  }

  $("sc-signin-button").addEventListener("click", startCognitoSignIn);

  /* Back from the hosted UI with ?code=&state= (or ?error=): exchange the code for tokens. */
  function finishCognitoSignIn(query) {
    var saved = null;
    try {
      saved = JSON.parse(storageGet(PKCE_KEY) || "null");
    } catch (error) {
      saved = null;
    }
    storageSet(PKCE_KEY, null);
    var returnHash = saved && typeof saved.hash === "string" && saved.hash.indexOf("#token=") !== 0 ? saved.hash : "";
    window.history.replaceState(null, "", window.location.pathname + returnHash);

    if (query.get("error")) {
      showSignIn(t("staff.signin.failed", { reason: query.get("error_description") || query.get("error") }));
      return;
    }
    if (!saved || !saved.verifier || saved.state !== query.get("state")) {
      showSignIn(t("staff.signin.state_mismatch"));
      return;
    }
    var body = new URLSearchParams({
      grant_type: "authorization_code",
      client_id: auth.clientId,
      code: query.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier
    });
    loading.textContent = t("staff.loading");
    window.fetch(auth.cognitoDomain + "/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().then(function (json) {
        return { ok: response.ok, status: response.status, json: json || {} };
      }, function () {
        return { ok: false, status: response.status, json: {} };
      });
    }).then(function (result) {
      loading.textContent = "";
      var problem = result.ok && result.json.id_token ? adopt(result.json.id_token) : null;
      if (!result.ok || !result.json.id_token || problem) {
        showSignIn(t("staff.signin.failed", { reason: problem || result.json.error || String(result.status) }));
        return;
      }
      boot();
    }, function () {
      loading.textContent = "";
      showSignIn(t("staff.error.network"));
    });
  }

  // ------------------------------------------------------------------ routing

  function show(name) {
    Object.keys(sections).forEach(function (key) {
      sections[key].hidden = key !== name;
    });
    [["sc-nav-queue", "queue"], ["sc-nav-register", "register"]].forEach(function (pair) {
      if (pair[1] === name) {
        $(pair[0]).setAttribute("aria-current", "page");
      } else {
        $(pair[0]).removeAttribute("aria-current");
      }
    });
  }

  function route() {
    if (!state.token) {
      return;
    }
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("case=") === 0) {
      var number = hash.slice(5);
      try {
        number = decodeURIComponent(number);
      } catch (error) {
        /* keep it as typed */
      }
      openCase(number);
    } else if (hash === "register" && mayRegister()) {
      openRegister();
    } else {
      openQueue();
    }
  }

  window.addEventListener("hashchange", function () {
    var token = takeFragmentToken();
    if (token) {
      var problem = adopt(token);
      boot(problem || "");
      return;
    }
    route();
  });

  // ------------------------------------------------------------------ form errors

  function clearFormErrors(form) {
    P.clearFieldErrors(form);
  }

  function fillErrorSlot(slot, message) {
    P.clear(slot);
    slot.appendChild(el("span", { className: "pf-visually-hidden", text: t("common.error_prefix") + " " }));
    slot.appendChild(document.createTextNode(message));
    slot.hidden = false;
  }

  /* Puts each message beside its field; returns the messages no field of the form could take. */
  function markFieldErrors(form, fields) {
    var left = [];
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var message = String(fields[name]);
      var group = form.querySelector('[data-field="' + name + '"]');
      var slot = group && group.querySelector(".pf-error-message");
      if (!group || !slot || group.closest("[hidden]")) {
        left.push((fieldLabels[name] ? fieldLabels[name] + ": " : "") + message);
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
  }

  // ------------------------------------------------------------------ the queue

  var filters = $("sc-filters");
  var queueBody = $("sc-queue-table").querySelector("tbody");

  function filterValues() {
    var values = {};
    ["status", "department", "category", "priority", "overdue", "month"].forEach(function (name) {
      var control = filters.elements.namedItem(name);
      var value = control ? String(control.value || "").trim() : "";
      if (value) {
        values[name] = value;
      }
    });
    var escalated = filters.elements.namedItem("escalated");
    if (escalated && escalated.checked && has("supervisor")) {
      values.escalated = "true";
    }
    if (onlyHandler() && state.who.department) {
      values.department = state.who.department;
    }
    return values;
  }

  function queueCaption(values) {
    if (onlyHandler()) {
      return "";
    }
    return values.status || values.department || values.month
      ? t("staff.queue.filtered_caption")
      : t("staff.queue.open_caption");
  }

  function codeLabel(value) {
    return value ? P.pick(value.label) || String(value.code || "") : "";
  }

  function queueRow(item) {
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
      due.appendChild(el("span", { className: "sc-due__at", text: formatCompact(item.next_due.due_at) }));
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
    var row = el("tr", { className: item.overdue ? "sc-row--overdue" : "", attrs: { "data-tracking-no": number } }, [
      el("th", { attrs: { scope: "row" } }, [link]),
      subject,
      el("td", {}, [el("span", { className: statusTagClass(item.status), text: P.pick(item.status_label) || item.status })]),
      el("td", {}, [
        el("span", { className: "sc-cell__main", text: codeLabel(item.category) }),
        el("span", { className: "sc-cell__sub sc-department", text: department })
      ]),
      el("td", { text: item.priority ? codeLabel(item.priority) : t("staff.queue.none") }),
      el("td", { className: "sc-cell--time" }, [
        el("span", { className: "sc-cell__main", text: formatCompact(item.submitted_at) }),
        el("span", { className: "sc-cell__sub", text: codeLabel(item.channel) })
      ]),
      due
    ]);
    return row;
  }

  function loadQueue(append) {
    var values = filterValues();
    var params = new URLSearchParams(values);
    params.set("limit", "50");
    if (append && state.queueCursor) {
      params.set("cursor", state.queueCursor);
    }
    var mine = ++state.queueCounter;
    loading.textContent = t("staff.loading");
    clearFormErrors(filters);
    api("GET", "/admin/complaints?" + params.toString()).then(function (response) {
      if (mine !== state.queueCounter) {
        return;
      }
      loading.textContent = "";
      if (response.status !== 200 || !response.body) {
        var error = P.apiError(response.body);
        var left = response.status === 400 ? markFieldErrors(filters, error.fields || {}) : [];
        showNotice(response.status === 400 && !left.length ? "" : [errorMessage(response)].concat(left).join(" "));
        return;
      }
      showNotice("");
      if (!append) {
        P.clear(queueBody);
      }
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      items.forEach(function (item) {
        queueBody.appendChild(queueRow(item));
      });
      state.queueCursor = response.body.cursor || null;
      var count = queueBody.children.length;
      $("sc-queue-table").hidden = count === 0;
      $("sc-queue-empty").hidden = count !== 0 || Boolean(state.queueCursor);
      $("sc-queue-more").hidden = !state.queueCursor;
      var caption = queueCaption(values);
      setText("sc-queue-caption", (caption ? caption + " " : "") + t("staff.queue.count", { count: count }));
    }).catch(function (error) {
      if (error === HANDLED || mine !== state.queueCounter) {
        return;
      }
      loading.textContent = "";
      showNotice(t("staff.error.network"));
    });
  }

  function openQueue() {
    show("queue");
    document.title = originalTitle;
    loadQueue(false);
  }

  filters.addEventListener("submit", function (event) {
    event.preventDefault();
    loadQueue(false);
  });

  $("sc-filters-reset").addEventListener("click", function () {
    filters.reset();
    if (onlyHandler() && state.who.department) {
      $("sc-filter-department").value = state.who.department;
    }
    loadQueue(false);
  });

  $("sc-queue-more").addEventListener("click", function () {
    loadQueue(true);
  });

  // ------------------------------------------------------------------ one case

  var caseBody = $("sc-case-body");
  var caseNotice = $("sc-case-notice");
  var reloadButton = $("sc-case-reload");
  var sending = $("sc-sending");

  function showCaseNotice(message, offerReload) {
    setText("sc-case-notice-text", message);
    reloadButton.hidden = !offerReload;
    caseNotice.hidden = !message;
    if (message) {
      P.focus(offerReload ? reloadButton : caseNotice);
    }
  }

  function openCase(number, options) {
    var opts = options || {};
    show("case");
    showNotice("");
    if (!opts.keepNotice) {
      showCaseNotice("", false);
    }
    var same = state.current && state.current.tracking_no === number;
    if (!same) {
      caseBody.hidden = true;
    }
    sending.textContent = "";
    var mine = ++state.caseCounter;
    loading.textContent = t("staff.loading");
    api("GET", "/admin/complaints/" + encodeURIComponent(number)).then(function (response) {
      if (mine !== state.caseCounter) {
        return;
      }
      loading.textContent = "";
      if (response.status === 200 && response.body && response.body.tracking_no) {
        renderCase(response.body, { focus: !same });
      } else if (response.status === 404) {
        caseBody.hidden = true;
        showCaseNotice(t("staff.case.not_found", { no: number }), false);
      } else {
        caseBody.hidden = true;
        showCaseNotice(errorMessage(response), false);
      }
    }).catch(function (error) {
      if (error === HANDLED || mine !== state.caseCounter) {
        return;
      }
      loading.textContent = "";
      showCaseNotice(t("staff.error.network"), false);
    });
  }

  reloadButton.addEventListener("click", function () {
    if (state.current) {
      showCaseNotice("", false);
      openCase(state.current.tracking_no);
    }
  });

  function row(id, value) {
    var rowNode = $(id + "-row");
    setText(id, value);
    if (rowNode) {
      rowNode.hidden = value === "" || value === null || value === undefined;
    }
  }

  function fillRows(list, values) {
    Array.prototype.forEach.call(list.querySelectorAll("[data-row]"), function (rowNode) {
      var name = rowNode.getAttribute("data-row");
      var value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : null;
      var text = value === null || value === undefined ? "" : String(value);
      rowNode.querySelector("dd").textContent = text;
      rowNode.hidden = text === "";
    });
  }

  function yesNo(value) {
    return value ? t("staff.case.yes") : t("staff.case.no");
  }

  function renderComplainant(c) {
    var person = c.complainant || {};
    $("sc-case-redacted").hidden = !person.redacted;
    fillRows($("sc-case-complainant"), {
      type: codeLabel(person.type),
      anonymous: yesNo(person.anonymous),
      name: person.name,
      organization: person.organization,
      credit_code: person.credit_code,
      phone: person.phone,
      email: person.email,
      preferred_language: languageLabels[person.preferred_language] || person.preferred_language
    });
  }

  function renderDetails(c) {
    var d = c.details || {};
    fillRows($("sc-case-details"), {
      subject: d.subject,
      description: d.description,
      location: d.location,
      occurred_on: d.occurred_on ? P.formatDate(d.occurred_on) : "",
      desired_outcome: d.desired_outcome,
      claim_amount: d.claim_amount ? "¥ " + d.claim_amount : ""
    });
  }

  function renderDeadlines(c) {
    var deadlines = Array.isArray(c.deadlines) ? c.deadlines : [];
    var tbody = $("sc-case-deadlines").querySelector("tbody");
    P.clear(tbody);
    deadlines.forEach(function (deadline) {
      var due = el("td", { className: "sc-cell--time", text: formatCompact(deadline.due_at) });
      if (deadline.provisional) {
        due.appendChild(document.createTextNode(" "));
        due.appendChild(el("span", { className: "pf-tag pf-tag--grey", text: t("status.deadline.provisional") }));
      }
      var stateCell;
      if (deadline.met_at) {
        stateCell = el("td", {}, [el("span", { className: "pf-tag pf-tag--green", text: t("status.deadline.met", { date: formatCompact(deadline.met_at) }) })]);
      } else if (deadline.overdue) {
        stateCell = el("td", {}, [el("span", { className: "pf-tag pf-tag--red", text: t("staff.overdue") })]);
      } else {
        stateCell = el("td", { text: t("status.deadline.pending") });
      }
      tbody.appendChild(el("tr", { className: deadline.overdue && !deadline.met_at ? "pf-row--overdue" : "" }, [
        el("th", { attrs: { scope: "row" }, text: P.pick(deadline.label) || deadline.kind }),
        due,
        stateCell
      ]));
    });
    $("sc-case-deadlines").hidden = deadlines.length === 0;
    $("sc-case-no-deadlines").hidden = deadlines.length !== 0;
  }

  function deadlineLabel(c, kind) {
    var list = Array.isArray(c.deadlines) ? c.deadlines : [];
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].kind === kind) {
        return P.pick(list[i].label);
      }
    }
    return String(kind || "");
  }

  /* The data an event carries, as [label, text] pairs people can read. */
  function eventData(c, event) {
    var data = event.data || {};
    var pairs = [];
    var done = {};
    var coded = {
      category: "categories",
      department: "departments",
      priority: "priorities",
      reason_code: "rejection_reasons",
      decision: "decisions",
      satisfaction: "satisfaction_levels"
    };
    if (event.action === "transfer" && (data.from !== undefined || data.to !== undefined)) {
      pairs.push([fieldLabels.department || "department",
        (data.from ? metaLabel("departments", data.from) : t("staff.queue.unassigned")) + " → " + metaLabel("departments", data.to)]);
      done.from = done.to = true;
    }
    if (event.action === "extend" && data.to) {
      pairs.push([fieldLabels.due_at || "due_at", t("staff.history.deadline", {
        deadline: deadlineLabel(c, data.deadline),
        from: formatCompact(data.from),
        to: formatCompact(data.to)
      })]);
      done.deadline = done.from = done.to = true;
    }
    Object.keys(data).forEach(function (key) {
      if (done[key]) {
        return;
      }
      var value = data[key];
      var text = coded[key] ? metaLabel(coded[key], value) : (value === null || value === undefined ? "" : String(value));
      pairs.push([fieldLabels[key] || key, text]);
    });
    return pairs;
  }

  function actorText(actor) {
    var who = actor || {};
    if (who.kind === "staff") {
      return t("staff.history.by", { name: who.name || "", role: metaLabel("roles", who.role) });
    }
    if (who.kind === "complainant") {
      return t("staff.history.complainant");
    }
    return who.name || t("staff.history.system");
  }

  function renderHistory(c) {
    var list = $("sc-history");
    P.clear(list);
    var events = Array.isArray(c.history) ? c.history : [];
    if (!events.length) {
      list.appendChild(el("li", { className: "pf-hint", text: t("staff.case.no_history") }));
    }
    events.forEach(function (event) {
      var internal = event.visibility === "internal";
      var head = el("p", { className: "sc-history__head" }, [
        el("span", { className: "sc-history__action", text: P.pick(event.action_label) || event.action }),
        el("span", {
          className: "pf-tag " + (internal ? "sc-tag--internal" : "sc-tag--public"),
          text: t(internal ? "staff.visibility.internal" : "staff.visibility.public")
        })
      ]);
      if (event.from_status && event.to_status && event.from_status !== event.to_status) {
        head.appendChild(el("span", {
          className: "sc-history__status",
          text: metaLabel("statuses", event.from_status) + " → " + metaLabel("statuses", event.to_status)
        }));
      }
      var item = el("li", {
        className: "sc-history__item" + (internal ? " sc-history__item--internal" : ""),
        attrs: { "data-action": String(event.action || ""), "data-visibility": internal ? "internal" : "public" }
      }, [
        head,
        el("p", { className: "sc-history__meta", text: formatCompact(event.at) + " · " + actorText(event.actor) })
      ]);
      if (event.note) {
        item.appendChild(el("p", { className: "sc-history__note", text: event.note }));
      }
      var pairs = eventData(c, event);
      if (pairs.length) {
        var dl = el("dl", { className: "sc-history__data" });
        pairs.forEach(function (pair) {
          dl.appendChild(el("dt", { text: pair[0] }));
          dl.appendChild(el("dd", { text: pair[1] }));
        });
        item.appendChild(dl);
      }
      list.appendChild(item);
    });
  }

  // ------------------------------------------------------------------ messages sent about the case

  var messagesTable = $("sc-messages");
  var messagesStatus = $("sc-messages-status");

  function renderMessages(body) {
    var tbody = messagesTable.querySelector("tbody");
    P.clear(tbody);
    var items = Array.isArray(body.items) ? body.items : [];
    items.forEach(function (message) {
      var what = el("td", {}, [
        el("span", { className: "sc-cell__main", text: P.pick(message.template_label) || message.template }),
        el("span", { className: "sc-cell__sub", text: t("staff.messages.by." + message.channel) + " · " + formatCompact(message.sent_at || message.created_at) })
      ]);
      var recipient = message.recipient === null ? t("staff.messages.hidden_recipient") : String(message.recipient || "");
      var to = el("td", {}, [
        el("span", { className: "sc-cell__main", text: P.pick(message.role_label) || message.role }),
        el("span", { className: "sc-cell__sub", text: recipient })
      ]);
      var stateCell = el("td", {}, [
        el("span", { className: message.state === "failed" ? "pf-tag pf-tag--red" : "pf-tag", text: P.pick(message.state_label) || message.state })
      ]);
      if (message.state === "failed" && message.error) {
        stateCell.appendChild(el("span", { className: "sc-cell__sub", text: t("staff.messages.reason", { error: message.error }) }));
      }
      if (message.attempts > 1) {
        stateCell.appendChild(el("span", { className: "sc-cell__sub", text: t("staff.messages.attempts", { count: message.attempts }) }));
      }
      if (message.resendable) {
        var button = el("button", { className: "pf-button pf-button--secondary", text: t("staff.messages.resend"), attrs: { type: "button" } });
        button.addEventListener("click", function () {
          resendMessage(body.tracking_no, message.id, button);
        });
        stateCell.appendChild(button);
      }
      tbody.appendChild(el("tr", {}, [what, to, stateCell]));
    });
    messagesTable.hidden = !items.length;
    messagesStatus.textContent = items.length ? "" : t("staff.messages.none");
  }

  function loadMessages(number) {
    var mine = ++state.messagesCounter;
    messagesStatus.textContent = t("staff.messages.loading");
    api("GET", "/admin/complaints/" + encodeURIComponent(number) + "/messages").then(function (response) {
      if (mine !== state.messagesCounter) {
        return;
      }
      if (response.status === 200 && response.body) {
        renderMessages(response.body);
      } else {
        messagesTable.hidden = true;
        messagesStatus.textContent = t("staff.messages.failed_load");
      }
    }).catch(function (error) {
      if (error !== HANDLED && mine === state.messagesCounter) {
        messagesStatus.textContent = t("staff.messages.failed_load");
      }
    });
  }

  function resendMessage(number, id, button) {
    button.disabled = true;
    api("POST", "/admin/complaints/" + encodeURIComponent(number) + "/messages/" + encodeURIComponent(id) + "/resend").then(function (response) {
      if (response.status === 200 && response.body) {
        renderMessages(response.body);
        messagesStatus.textContent = t("staff.messages.resent");
      } else {
        button.disabled = false;
        messagesStatus.textContent = errorMessage(response);
      }
    }).catch(function (error) {
      button.disabled = false;
      if (error !== HANDLED) {
        messagesStatus.textContent = t("staff.error.network");
      }
    });
  }

  function resetForm(form) {
    form.reset();
    form.removeAttribute("data-dirty");
    clearFormErrors(form);
  }

  /* Shows the forms of the allowed actions. Another case gets fresh forms; the same case at a new
     version (a reload after a conflict) keeps what was typed, and prefills untouched forms only. */
  function renderActions(c, otherCase) {
    var allowed = Array.isArray(c.allowed_actions) ? c.allowed_actions : [];
    var any = false;
    Array.prototype.forEach.call(app.querySelectorAll("details.sc-action"), function (details) {
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
      var title = app.querySelector('details.sc-action[data-action="' + item.action + '"] .sc-action__title');
      var name = title ? title.textContent : String(item.action);
      withheld.appendChild(el("li", {}, [el("strong", { text: name }), document.createTextNode(" " + P.pick(item.reason))]));
    });
    withheld.hidden = !withheld.children.length;

    var accept = app.querySelector('form[data-action="accept"]');
    if (!accept.hasAttribute("data-dirty")) {
      accept.elements.namedItem("category").value = c.category ? c.category.code : "";
      var department = c.department || c.suggested_department;
      accept.elements.namedItem("department").value = department ? department.code : "";
      accept.elements.namedItem("priority").value = c.priority ? c.priority.code : "normal";
    }
    var extend = app.querySelector('form[data-action="extend"]');
    if (!extend.hasAttribute("data-dirty")) {
      var kind = c.status === "under_review" ? "review" : "respond";
      (c.deadlines || []).forEach(function (deadline) {
        if (deadline.kind === kind && !deadline.met_at) {
          extend.elements.namedItem("due_at").value = beijingLocalValue(deadline.due_at);
        }
      });
    }
  }

  function renderCase(c, options) {
    var opts = options || {};
    var previous = state.current;
    var otherCase = !previous || previous.tracking_no !== c.tracking_no;
    state.current = c;
    var number = String(c.tracking_no);
    setText("sc-case-title", t("status.result_title", { no: number }));
    setStatusTag($("sc-case-status"), c.status, c.status_label);
    $("sc-case-overdue").hidden = !c.overdue;
    $("sc-case-escalated").hidden = !(c.escalation_level >= 2);
    $("sc-case-confidential").hidden = !c.confidential;
    setText("sc-case-subject", c.subject || (c.details && c.details.subject) || "");

    setText("sc-case-category", codeLabel(c.category));
    setText("sc-case-department", c.department
      ? codeLabel(c.department)
      : t("staff.queue.unassigned") + " · " + t("staff.queue.suggested", { department: codeLabel(c.suggested_department) }));
    setText("sc-case-priority", c.priority ? codeLabel(c.priority) : t("staff.queue.none"));
    setText("sc-case-channel", codeLabel(c.channel));
    setText("sc-case-submitted", P.formatDateTime(c.submitted_at));
    setText("sc-case-updated", P.formatDateTime(c.updated_at));
    var nextDue = $("sc-case-next-due");
    P.clear(nextDue);
    if (c.next_due) {
      var separator = P.lang === "zh" ? "：" : ": ";
      nextDue.appendChild(document.createTextNode((P.pick(c.next_due.label) || c.next_due.kind) + separator + P.formatDateTime(c.next_due.due_at)));
      if (c.overdue) {
        nextDue.appendChild(document.createTextNode(" "));
        nextDue.appendChild(el("span", { className: "pf-tag pf-tag--red", text: t("staff.overdue") }));
      }
    } else {
      nextDue.textContent = t("staff.queue.none");
    }
    row("sc-case-review-count", c.review_count ? String(c.review_count) : "");
    row("sc-case-callback", c.callback_satisfaction ? codeLabel(c.callback_satisfaction) : "");
    row("sc-case-rating", c.complainant_rating ? codeLabel(c.complainant_rating) : "");

    renderComplainant(c);
    renderDetails(c);
    renderDeadlines(c);
    renderHistory(c);
    renderActions(c, otherCase);
    loadMessages(c.tracking_no);
    if (window.StaffAttachments) window.StaffAttachments.show($("sc-attachments"), c.tracking_no, api);

    caseBody.hidden = false;
    document.title = t("status.result_title", { no: number }) + " - " + originalTitle;
    if (opts.focus) {
      P.focus($("sc-case-title"));
    }
  }

  function actionBody(form) {
    var body = { action: form.getAttribute("data-action"), expected_version: state.current.version };
    Array.prototype.forEach.call(form.querySelectorAll("input, select, textarea"), function (control) {
      var value = String(control.value || "").trim();
      if (!control.name || value === "") {
        return;
      }
      if (control.type === "datetime-local") {
        value = withBeijingOffset(value);
      }
      body[control.name] = value;
    });
    return body;
  }

  function setBusy(busy) {
    state.busy = busy;
    Array.prototype.forEach.call(app.querySelectorAll(".sc-action__form button[type=submit]"), function (button) {
      button.disabled = busy;
    });
  }

  function actionFailed(form, response) {
    var error = P.apiError(response.body);
    var slot = form.querySelector(".sc-form-error");
    if (response.status === 409 && error.code === "version_conflict") {
      showCaseNotice(t("staff.case.conflict"), true);
      return;
    }
    var left = response.status === 400 ? markFieldErrors(form, error.fields || {}) : [];
    var general = response.status === 400 && !left.length ? "" : [errorMessage(response)].concat(left).join(" ");
    if (general) {
      fillErrorSlot(slot, general);
      P.focus(slot);
    }
  }

  Array.prototype.forEach.call(app.querySelectorAll(".sc-action__form"), function (form) {
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
      clearFormErrors(form);
      showCaseNotice("", false);
      var number = state.current.tracking_no;
      var title = form.parentNode.querySelector(".sc-action__title").textContent;
      setBusy(true);
      sending.textContent = t("staff.case.sending");
      api("POST", "/admin/complaints/" + encodeURIComponent(number) + "/actions", actionBody(form)).then(function (response) {
        setBusy(false);
        sending.textContent = "";
        if (response.status === 200 && response.body && response.body.tracking_no) {
          resetForm(form);
          form.parentNode.open = false;
          renderCase(response.body, { focus: false });
          sending.textContent = t("staff.case.saved", { action: title });
          P.focus($("sc-case-status"));
        } else {
          actionFailed(form, response);
        }
      }).catch(function (error) {
        setBusy(false);
        sending.textContent = "";
        if (error === HANDLED) {
          return;
        }
        var slot = form.querySelector(".sc-form-error");
        fillErrorSlot(slot, t("staff.error.network"));
        P.focus(slot);
      });
    });
  });

  // ------------------------------------------------------------------ registering a complaint

  var registerForm = $("sc-register-form");
  var registerErrors = $("sc-register-errors");
  var registerDone = $("sc-register-done");

  function regValue(name) {
    var control = registerForm.elements.namedItem(name);
    if (!control) {
      return "";
    }
    if (control.type === "checkbox") {
      return control.checked;
    }
    return String(control.value || "").trim();
  }

  function isClaimCategory(code) {
    return metaList("categories").some(function (category) {
      return category.code === code && category.claim;
    });
  }

  function updateRegisterForm() {
    var anonymous = regValue("anonymous") === true;
    $("sc-reg-identity").hidden = anonymous;
    $("sc-reg-enterprise").hidden = anonymous || regValue("complainant_type") !== "enterprise";
    $("sc-reg-claim").hidden = !isClaimCategory(regValue("category"));
  }

  registerForm.addEventListener("change", updateRegisterForm);

  function registerPayload() {
    var anonymous = regValue("anonymous") === true;
    var names = ["channel", "received_at", "complainant_type", "preferred_language", "category", "subject", "description",
      "location", "occurred_on", "desired_outcome"];
    if (!anonymous) {
      names.push("name", "phone", "email");
      if (regValue("complainant_type") === "enterprise") {
        names.push("organization", "credit_code");
      }
    }
    if (isClaimCategory(regValue("category"))) {
      names.push("claim_amount");
    }
    var body = { anonymous: anonymous, consent: regValue("consent") === true };
    names.forEach(function (name) {
      var value = regValue(name);
      if (value !== "") {
        body[name] = name === "received_at" ? withBeijingOffset(value) : value;
      }
    });
    return body;
  }

  function showRegisterErrors(fields, general) {
    clearFormErrors(registerForm);
    P.clear($("sc-register-errors-list"));
    var list = $("sc-register-errors-list");
    var left = markFieldErrors(registerForm, fields || {});
    Object.keys(fields || {}).forEach(function (name) {
      var control = registerForm.querySelector('[data-field="' + name + '"] input, [data-field="' + name + '"] select, [data-field="' + name + '"] textarea');
      if (control && !control.closest("[hidden]")) {
        var link = el("a", { attrs: { href: "#" + control.id }, text: String(fields[name]) });
        link.addEventListener("click", function (event) {
          event.preventDefault();
          control.focus();
        });
        list.appendChild(el("li", {}, [link]));
      }
    });
    left.forEach(function (message) {
      list.appendChild(el("li", { text: message }));
    });
    if (general && !list.children.length) {
      list.appendChild(el("li", { text: general }));
    }
    registerErrors.hidden = false;
    registerErrors.focus();
  }

  function grouped(code) {
    var text = String(code || "");
    return /[-\s]/.test(text) ? text : text.replace(/(.{4})(?=.)/g, "$1-");
  }

  /* When the complaint was received: now, unless the officer says otherwise (a letter may be days old). */
  function prefillReceivedAt() {
    var receivedAt = registerForm.elements.namedItem("received_at");
    if (receivedAt && !receivedAt.value) {
      receivedAt.value = beijingLocalValue(new Date().toISOString());
    }
  }

  function openRegister() {
    show("register");
    updateRegisterForm();
    prefillReceivedAt();
    P.focus($("sc-register-title"));
  }

  registerForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (state.busy) {
      return;
    }
    state.busy = true;
    $("sc-register-submit").disabled = true;
    setText("sc-register-sending", t("staff.register.sending"));
    api("POST", "/admin/complaints", registerPayload(), { "Idempotency-Key": state.registerKey }).then(function (response) {
      state.busy = false;
      $("sc-register-submit").disabled = false;
      setText("sc-register-sending", "");
      var body = response.body || {};
      var error = P.apiError(response.body);
      if ((response.status === 201 || response.status === 200) && body.tracking_no) {
        state.registerKey = P.uuid();
        registerErrors.hidden = true;
        clearFormErrors(registerForm);
        setText("sc-register-tracking-no", grouped(body.tracking_no));
        setText("sc-register-access-code", grouped(body.access_code));
        $("sc-register-open").setAttribute("href", "#case=" + encodeURIComponent(String(body.tracking_no)));
        registerForm.reset();
        updateRegisterForm();
        prefillReceivedAt();
        registerForm.hidden = true;
        registerDone.hidden = false;
        P.focus($("sc-register-done-title"));
        return;
      }
      if (response.status === 400 || response.status === 422) {
        // Nothing was registered: corrected answers are a new request.
        state.registerKey = P.uuid();
      }
      showRegisterErrors(error.fields || {}, errorMessage(response));
    }).catch(function (error) {
      state.busy = false;
      $("sc-register-submit").disabled = false;
      setText("sc-register-sending", "");
      if (error === HANDLED) {
        return;
      }
      showRegisterErrors({}, t("staff.error.network"));
    });
  });

  $("sc-register-another").addEventListener("click", function () {
    registerForm.elements.namedItem("received_at").value = "";
    prefillReceivedAt();
    registerDone.hidden = true;
    registerForm.hidden = false;
    registerErrors.hidden = true;
    P.focus($("sc-register-title"));
  });

  // ------------------------------------------------------------------ start

  var fragmentToken = takeFragmentToken();
  var firstMessage = fragmentToken ? adopt(fragmentToken) : null;
  var query = new URLSearchParams(window.location.search);
  if (cognito && (query.get("code") || query.get("error"))) {
    finishCognitoSignIn(query);
  } else {
    boot(firstMessage || "");
  }
})();
