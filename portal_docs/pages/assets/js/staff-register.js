/*
 * Registering a complaint received by phone, letter, visit, e-mail or the suggestion box (#register,
 * officers and supervisors): the complaint as the public form takes it, plus the channel and when
 * it was received; the answer is its tracking number and access code, to tell the complainant.
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
  // A new key for each complaint: a retry of the same one is answered with the same case.
  var registerKey = P.uuid();
  sc.sections.register = $("sc-register");

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
    return sc.metaList("categories").some(function (category) {
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
        body[name] = name === "received_at" ? sc.withOffset(value) : value;
      }
    });
    return body;
  }

  function showRegisterErrors(fields, general) {
    sc.clearFormErrors(registerForm);
    P.clear($("sc-register-errors-list"));
    var list = $("sc-register-errors-list");
    var left = sc.markFieldErrors(registerForm, fields || {});
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
      receivedAt.value = sc.localValue(new Date().toISOString());
    }
  }

  function openRegister() {
    sc.show("register");
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
    sc.setText("sc-register-sending", t("staff.register.sending"));
    sc.api("POST", "/admin/complaints", registerPayload(), { "Idempotency-Key": registerKey }).then(function (response) {
      state.busy = false;
      $("sc-register-submit").disabled = false;
      sc.setText("sc-register-sending", "");
      var body = response.body || {};
      var error = P.apiError(response.body);
      if ((response.status === 201 || response.status === 200) && body.tracking_no) {
        registerKey = P.uuid();
        // For the receipt, printed next (staff-documents.js): the access code is shown only now.
        state.lastReceipt = body;
        registerErrors.hidden = true;
        sc.clearFormErrors(registerForm);
        sc.setText("sc-register-tracking-no", grouped(body.tracking_no));
        sc.setText("sc-register-access-code", grouped(body.access_code));
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
        registerKey = P.uuid();
      }
      showRegisterErrors(error.fields || {}, sc.errorMessage(response));
    }).catch(function (error) {
      state.busy = false;
      $("sc-register-submit").disabled = false;
      sc.setText("sc-register-sending", "");
      if (error === sc.HANDLED) {
        return;
      }
      showRegisterErrors({}, t("staff.error.network"));
    });
  });

  $("sc-register-receipt").addEventListener("click", function () {
    window.location.hash = "receipt";
  });

  $("sc-register-another").addEventListener("click", function () {
    registerForm.elements.namedItem("received_at").value = "";
    prefillReceivedAt();
    registerDone.hidden = true;
    registerForm.hidden = false;
    registerErrors.hidden = true;
    P.focus($("sc-register-title"));
  });

  sc.openRegister = openRegister;
})();
