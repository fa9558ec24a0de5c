/*
 * The staff console's start, loaded after its screens (staff-core.js explains how they fit): the
 * address says which screen to show (#case=NUMBER, #notice=NUMBER, #form=NUMBER, #receipt,
 * #search=TEXT, #register, #callbacks, #access?STAFF, #queue?FILTERS, or the queue's default view),
 * and a sign-in link's #token=... or the Cognito hosted UI's answer signs in first.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  if (!sc) {
    return;
  }

  function decoded(text) {
    try {
      return decodeURIComponent(text);
    } catch (error) {
      return text; // keep it as typed
    }
  }

  sc.route = function () {
    if (!sc.state.token) {
      return;
    }
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("case=") === 0) {
      sc.openCase(decoded(hash.slice(5)));
    } else if (hash.indexOf("search=") === 0) {
      sc.openSearch(decoded(hash.slice(7)));
    } else if (hash === "register" && sc.mayRegister()) {
      sc.openRegister();
    } else if (hash.indexOf("notice=") === 0 || hash.indexOf("form=") === 0) {
      var kind = hash.slice(0, hash.indexOf("="));
      sc.openDocument(kind, decoded(hash.slice(kind.length + 1)));
    } else if (hash === "receipt" && sc.mayRegister()) {
      sc.openReceipt();
    } else if (hash === "callbacks" && sc.mayRegister()) {
      sc.openCallbacks();
    } else if ((hash === "access" || hash.indexOf("access?") === 0) && sc.has("supervisor")) {
      sc.openAccess(new URLSearchParams(hash.slice(7)));
    } else if (hash.indexOf("queue?") === 0) {
      sc.openQueue(new URLSearchParams(hash.slice(6)));
    } else {
      sc.openQueue();
    }
  };

  window.addEventListener("hashchange", function () {
    var token = sc.takeFragmentToken();
    if (token) {
      sc.boot(sc.adopt(token) || "");
      return;
    }
    sc.route();
  });

  var fragmentToken = sc.takeFragmentToken();
  var firstMessage = fragmentToken ? sc.adopt(fragmentToken) : null;
  var query = new URLSearchParams(window.location.search);
  if (sc.cognito && (query.get("code") || query.get("error"))) {
    sc.finishCognitoSignIn(query);
  } else {
    sc.boot(firstMessage || "");
  }
})();
