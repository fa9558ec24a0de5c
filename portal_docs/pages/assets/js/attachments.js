/*
 * The complainant's attachments: choose a file, have the API offer an upload (an S3 presigned POST,
 * with the access code), post the file straight to S3, then follow it until it is checked. Used by
 * submit.js (the confirmation step) and status.js ("add information"): window.PortalAttachments.
 * The API never sees the file; S3 refuses what the offer does not allow.
 */
(function () {
  "use strict";

  var P = window.Portal;
  if (!P || !window.fetch || !window.FormData) {
    return;
  }
  var t = P.t;
  var el = P.el;
  // How long a file being checked is followed (the local stack checks within seconds).
  var POLL_MS = 1500;
  var POLL_TRIES = 40;

  function part(section, role) {
    return section.querySelector('[data-role="' + role + '"]');
  }

  function showError(section, message) {
    var box = part(section, "attach-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function path(context, rest) {
    return "/complaints/" + encodeURIComponent(context.number) + "/attachments" + (rest || "");
  }

  function headers(context) {
    return { "X-Access-Code": context.code };
  }

  function stateLabel(item) {
    return t("attach.state." + (item.state === "ready" || item.state === "refused" ? item.state : "pending"));
  }

  function open(section, context, item) {
    P.request("GET", path(context, "/" + encodeURIComponent(item.id)), { headers: headers(context) }).then(function (response) {
      if (response.status === 200 && response.body && response.body.url) {
        window.location.assign(response.body.url);
      } else {
        showError(section, P.apiError(response.body).message || t("attach.failed", { status: response.status }));
      }
    }, function () {
      showError(section, t("common.network_error", { phone: P.contacts.phone || "" }));
    });
  }

  function render(section, context, items) {
    var list = part(section, "attach-list");
    P.clear(list);
    part(section, "attach-none").hidden = items.length > 0;
    items.forEach(function (item) {
      var row = el("li", { attrs: { "data-attachment": item.id, "data-state": item.state } });
      if (item.state === "ready") {
        var link = el("a", { text: t("attach.open", { name: item.name }), attrs: { href: "#" } });
        link.addEventListener("click", function (event) {
          event.preventDefault();
          open(section, context, item);
        });
        row.appendChild(link);
      } else {
        row.appendChild(el("span", { text: item.name }));
      }
      row.appendChild(document.createTextNode(" "));
      row.appendChild(el("strong", { className: "pf-tag pf-tag--" + item.state, text: stateLabel(item) }));
      if (item.refusal) {
        row.appendChild(el("span", { className: "pf-hint", text: " " + P.pick(item.refusal) }));
      }
      list.appendChild(row);
    });
  }

  function refresh(section, context, tries) {
    P.request("GET", path(context), { headers: headers(context) }).then(function (response) {
      if (response.status !== 200 || !response.body) {
        showError(section, P.apiError(response.body).message || t("attach.failed", { status: response.status }));
        return;
      }
      var items = Array.isArray(response.body.items) ? response.body.items : [];
      render(section, context, items);
      var pending = items.some(function (item) { return item.state === "pending"; });
      if (pending && tries > 0 && section.getAttribute("data-number") === context.number) {
        window.setTimeout(function () { refresh(section, context, tries - 1); }, POLL_MS);
      }
    }, function () {
      showError(section, t("common.network_error", { phone: P.contacts.phone || "" }));
    });
  }

  function postToStorage(upload, file) {
    var body = new window.FormData();
    Object.keys(upload.fields || {}).forEach(function (name) {
      body.append(name, upload.fields[name]);
    });
    // S3 takes the file last, after every field its policy names.
    body.append(upload.file_field || "file", file);
    return window.fetch(upload.url, { method: "POST", body: body, credentials: "omit", mode: "cors" });
  }

  function upload(section, context) {
    var input = part(section, "attach-file");
    var status = part(section, "attach-status");
    var button = part(section, "attach-upload");
    var file = input.files && input.files[0];
    showError(section, "");
    if (!file) {
      showError(section, t("attach.none_chosen"));
      P.focus(input);
      return;
    }
    button.disabled = true;
    status.textContent = t("attach.uploading", { name: file.name });
    var done = function () {
      button.disabled = false;
    };
    P.request("POST", path(context), {
      json: { file_name: file.name, content_type: file.type || "application/octet-stream", size: file.size },
      headers: headers(context)
    }).then(function (response) {
      var body = response.body || {};
      if (response.status !== 201 || !body.upload) {
        done();
        status.textContent = "";
        var error = P.apiError(response.body);
        var fields = error.fields || {};
        var first = Object.keys(fields).map(function (name) { return fields[name]; })[0];
        showError(section, first || error.message || t("attach.failed", { status: response.status }));
        return;
      }
      return postToStorage(body.upload, file).then(function (stored) {
        done();
        if (stored.status !== 204 && stored.status !== 201 && stored.status !== 200) {
          status.textContent = "";
          showError(section, t("attach.refused_by_storage"));
          return;
        }
        input.value = "";
        status.textContent = t("attach.uploaded", { name: file.name });
        refresh(section, context, POLL_TRIES);
      });
    }).catch(function () {
      done();
      status.textContent = "";
      showError(section, t("common.network_error", { phone: P.contacts.phone || "" }));
    });
  }

  /* Show the section for this case (number, access code) and list its files. */
  function mount(section, context) {
    if (!section || !context || !context.number || !context.code) {
      return;
    }
    section.setAttribute("data-number", context.number);
    section.hidden = false;
    showError(section, "");
    part(section, "attach-status").textContent = "";
    var button = part(section, "attach-upload");
    var fresh = button.cloneNode(true);  // one listener, for the case shown now
    button.parentNode.replaceChild(fresh, button);
    fresh.addEventListener("click", function () {
      upload(section, context);
    });
    refresh(section, context, POLL_TRIES);
  }

  function unmount(section) {
    if (section) {
      section.hidden = true;
      section.removeAttribute("data-number");
    }
  }

  window.PortalAttachments = { mount: mount, unmount: unmount };
})();
