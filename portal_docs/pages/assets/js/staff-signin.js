/*
 * Signing in to the staff console and out of it.
 *
 * A token comes from the URL fragment (#token=..., the link ./scripts/serve prints), from the box
 * where one is pasted (local stack), or from the Cognito hosted UI (authorization code + PKCE) when
 * the site was built with extra.staff_auth. The token lives in sessionStorage and goes in an
 * Authorization header on every admin call; its payload is decoded here only to show who is signed
 * in (the API verifies it). A Cognito sign-in lasts the working day: its refresh token (also in
 * sessionStorage, gone with the tab) renews the id token a few minutes before it runs out.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  if (!sc) {
    return;
  }
  var P = sc.P;
  var t = sc.t;
  var $ = sc.$;
  var state = sc.state;
  var auth = sc.auth;

  var TOKEN_KEY = "complaint-portal.staff.token";
  var PKCE_KEY = "complaint-portal.staff.pkce";
  var REFRESH_KEY = "complaint-portal.staff.refresh";
  // A Cognito sign-in is renewed this long before its token runs out (the refresh token lasts the
  // working day; the id token, an hour).
  var REFRESH_LEAD_MS = 5 * 60 * 1000;
  var refreshTimer = null;
  var ROLES = ["supervisor", "officer", "handler"];
  var signin = $("sc-signin");
  var consoleView = $("sc-console");

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

  /* Reads #token=... from the address, removes it from the address bar and the history. */
  sc.takeFragmentToken = function () {
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
  };

  function forget() {
    state.token = null;
    state.who = null;
    state.current = null;
    sc.storageSet(TOKEN_KEY, null);
    sc.storageSet(REFRESH_KEY, null);
    window.clearTimeout(refreshTimer);
  }

  /* How to get a new token when one has run out: locally, the commands that make one. */
  function expiredMessage(key) {
    return t(sc.cognito ? key : key + "_local");
  }

  /* Keeps a token if it can be read and has not expired; otherwise says why not. */
  sc.adopt = function (token) {
    var claims = claimsOf(token);
    if (!claims) {
      return t("staff.signin.token_invalid");
    }
    if (isExpired(claims)) {
      return expiredMessage("staff.signin.token_expired");
    }
    sc.storageSet(TOKEN_KEY, token);
    return null;
  };

  sc.onUnauthorized = function () {
    forget();
    showSignIn(expiredMessage("staff.signin.unauthorized"));
  };

  // ------------------------------------------------------------------ keeping a Cognito sign-in

  /* Asks Cognito for a new id token with the refresh token; resolves true once it is in use. */
  function refresh() {
    var refreshToken = sc.storageGet(REFRESH_KEY);
    if (!sc.cognito || !refreshToken) {
      return Promise.resolve(false);
    }
    var body = new URLSearchParams({ grant_type: "refresh_token", client_id: auth.clientId, refresh_token: refreshToken });
    return tokenRequest(body).then(function (result) {
      if (!result.ok || !result.json.id_token || sc.adopt(result.json.id_token)) {
        return false;
      }
      state.token = result.json.id_token;
      var claims = claimsOf(state.token);
      if (claims && state.who) {
        scheduleRefresh(claims);
      }
      return true;
    }, function () {
      return false;
    });
  }

  function scheduleRefresh(claims) {
    window.clearTimeout(refreshTimer);
    if (!sc.cognito || !sc.storageGet(REFRESH_KEY) || typeof claims.exp !== "number") {
      return;
    }
    var wait = Math.max(0, claims.exp * 1000 - Date.now() - REFRESH_LEAD_MS);
    refreshTimer = window.setTimeout(function () {
      refresh();
    }, wait);
  }

  function tokenRequest(body) {
    return window.fetch(auth.cognitoDomain + "/oauth2/token", {
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
    });
  }

  // ------------------------------------------------------------------ sign-in and sign-out

  function showSignIn(message) {
    consoleView.hidden = true;
    signin.hidden = false;
    $("sc-signin-cognito").hidden = !sc.cognito;
    $("sc-signin-local").hidden = sc.cognito;
    sc.showNotice(message || "");
    document.title = sc.originalTitle;
  }

  function showConsole() {
    signin.hidden = true;
    consoleView.hidden = false;
    var who = state.who;
    sc.setText("sc-who-name", who.name);
    sc.setText("sc-who-roles", who.roles.map(function (role) {
      return sc.metaLabel("roles", role);
    }).join(P.lang === "zh" ? "、" : ", "));
    sc.setText("sc-who-department", who.department ? "· " + sc.metaLabel("departments", who.department) : "");
    $("sc-nav-register").hidden = !sc.mayRegister();
    $("sc-nav-access").hidden = !sc.has("supervisor");
    $("sc-nav-callbacks").hidden = !sc.mayRegister();
    sc.prepareQueue();
  }

  /* Starts the console with the stored token, or shows the sign-in panel. */
  sc.boot = function (message) {
    state.token = sc.storageGet(TOKEN_KEY);
    var claims = state.token ? claimsOf(state.token) : null;
    if (!claims) {
      forget();
      showSignIn(message);
      return;
    }
    if (isExpired(claims)) {
      if (sc.cognito && sc.storageGet(REFRESH_KEY)) {
        // Run out while the computer slept: renewed without signing in again, if it still may be.
        refresh().then(function (renewed) {
          if (renewed) {
            sc.boot(message);
          } else {
            forget();
            showSignIn(expiredMessage("staff.signin.expired"));
          }
        });
        return;
      }
      forget();
      showSignIn(expiredMessage("staff.signin.expired"));
      return;
    }
    state.who = whoFrom(claims);
    if (!state.who.roles.length) {
      forget();
      showSignIn(t("staff.who.no_role"));
      return;
    }
    scheduleRefresh(claims);
    sc.showNotice(message || "");
    sc.loading.textContent = t("staff.loading");
    sc.loadMeta().then(function () {
      sc.loading.textContent = "";
      showConsole();
      sc.route();
    }, function () {
      sc.loading.textContent = "";
      showConsole();
      sc.showNotice(t("staff.error.meta"));
      sc.route();
    });
  };

  $("sc-token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    sc.clearFormErrors(form);
    var token = form.elements.namedItem("token").value.replace(/\s+/g, "");
    var problem = token ? sc.adopt(token) : t("staff.signin.token_invalid");
    if (problem) {
      sc.markFieldErrors(form, { token: problem });
      return;
    }
    form.reset();
    sc.boot();
  });

  $("sc-signout").addEventListener("click", function () {
    forget();
    sc.forgetQueue(); // a queue page still on its way must not clear the sign-out message
    if (sc.cognito) {
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
      sc.showNotice(t("staff.signin.no_crypto"));
      return;
    }
    var verifier = randomString(48);
    var expected = randomString(24);
    window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
      sc.storageSet(PKCE_KEY, JSON.stringify({ verifier: verifier, state: expected, hash: window.location.hash }));
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
      sc.showNotice(t("staff.signin.no_crypto"));
    });
  }

  $("sc-signin-button").addEventListener("click", startCognitoSignIn);

  /* Back from the hosted UI with ?code=&state= (or ?error=): exchange the code for tokens. */
  sc.finishCognitoSignIn = function (query) {
    var saved = null;
    try {
      saved = JSON.parse(sc.storageGet(PKCE_KEY) || "null");
    } catch (error) {
      saved = null;
    }
    sc.storageSet(PKCE_KEY, null);
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
    sc.loading.textContent = t("staff.loading");
    tokenRequest(body).then(function (result) {
      sc.loading.textContent = "";
      var problem = result.ok && result.json.id_token ? sc.adopt(result.json.id_token) : null;
      if (!result.ok || !result.json.id_token || problem) {
        showSignIn(t("staff.signin.failed", { reason: problem || result.json.error || String(result.status) }));
        return;
      }
      sc.storageSet(REFRESH_KEY, result.json.refresh_token || null);
      sc.boot();
    }, function () {
      sc.loading.textContent = "";
      showSignIn(t("staff.error.network"));
    });
  };
})();
