/*
 * The staff console's attachments of a case (staff-case.js calls sc.showAttachments on its case
 * screen): the files this staff member may see, each
 * opened through a short-lived link (the API writes every opening to the access log), how many of
 * the complainant's are withheld on a confidential case, and an upload of staff's own evidence.
 */
(function () {
  "use strict";

  var sc = window.StaffConsole;
  var P = window.Portal;
  if (!sc || !P || !window.fetch || !window.FormData) {
    return;
  }
  var t = P.t;
  var el = P.el;
  var POLL_MS = 1500;
  var POLL_TRIES = 40;

  function part(section, role) {
    return section.querySelector('[data-role="' + role + '"]');
  }

  function path(number, rest) {
    return "/admin/complaints/" + encodeURIComponent(number) + "/attachments" + (rest || "");
  }

  function failed(section, response) {
    part(section, "status").textContent =
      P.apiError(response && response.body).message || t("staff.attach.failed", { status: response ? response.status : 0 });
  }

  function size(bytes) {
    var n = Number(bytes) || 0;
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function render(section, number, api, body) {
    var list = part(section, "list");
    P.clear(list);
    var items = Array.isArray(body.items) ? body.items : [];
    part(section, "none").hidden = items.length > 0;
    var withheld = part(section, "withheld");
    withheld.textContent = body.withheld ? t("staff.attach.withheld", { count: body.withheld }) : "";
    withheld.hidden = !body.withheld;
    items.forEach(function (item) {
      var who = item.uploaded_by === "staff" ? (item.staff_name || "") : t("staff.attach.by_complainant");
      var scope = item.uploaded_by === "staff"
        ? t(item.visibility === "public" ? "staff.attach.public" : "staff.attach.internal") : "";
      var row = el("li", { attrs: { "data-attachment": item.id, "data-state": item.state } }, [
        el("span", { className: "sc-attachment__name", text: item.name }),
        el("span", { className: "pf-hint", text: " · " + [who, scope, size(item.size)].filter(Boolean).join(" · ") + " · " }),
        el("strong", { className: "pf-tag", text: t("attach.state." + item.state) })
      ]);
      if (item.refusal) {
        row.appendChild(el("span", { className: "pf-hint", text: " " + P.pick(item.refusal) }));
      }
      if (item.state === "ready") {
        var button = el("button", { className: "pf-button pf-button--secondary sc-attachment__open", text: t("staff.attach.open"), attrs: { type: "button" } });
        button.addEventListener("click", function () {
          api("GET", path(number, "/" + encodeURIComponent(item.id))).then(function (response) {
            if (response.status === 200 && response.body && response.body.url) {
              window.location.assign(response.body.url);
            } else {
              failed(section, response);
            }
          }, function () {});
        });
        row.appendChild(document.createTextNode(" "));
        row.appendChild(button);
      }
      list.appendChild(row);
    });
    return items.some(function (item) { return item.state === "pending"; });
  }

  function load(section, number, api, tries) {
    part(section, "status").textContent = t("staff.attach.loading");
    api("GET", path(number)).then(function (response) {
      if (section.getAttribute("data-number") !== number) {
        return;  // another case is shown now
      }
      if (response.status !== 200 || !response.body) {
        failed(section, response);
        return;
      }
      part(section, "status").textContent = "";
      if (render(section, number, api, response.body) && tries > 0) {
        window.setTimeout(function () { load(section, number, api, tries - 1); }, POLL_MS);
      }
    }, function () {});
  }

  function upload(section, number, api) {
    var input = part(section, "file");
    var file = input.files && input.files[0];
    if (!file) {
      P.focus(input);
      return;
    }
    var status = part(section, "status");
    status.textContent = t("staff.attach.uploading");
    api("POST", path(number), {
      file_name: file.name,
      content_type: file.type || "application/octet-stream",
      size: file.size,
      visibility: part(section, "public").checked ? "public" : "internal"
    }).then(function (response) {
      if (response.status !== 201 || !response.body || !response.body.upload) {
        var fields = P.apiError(response.body).fields || {};
        var first = Object.keys(fields).map(function (name) { return fields[name]; })[0];
        status.textContent = first || P.apiError(response.body).message || t("staff.attach.failed", { status: response.status });
        return;
      }
      var offer = response.body.upload;
      var form = new window.FormData();
      Object.keys(offer.fields || {}).forEach(function (name) {
        form.append(name, offer.fields[name]);
      });
      form.append(offer.file_field || "file", file);
      return window.fetch(offer.url, { method: "POST", body: form, credentials: "omit", mode: "cors" }).then(function (stored) {
        if (stored.status >= 300) {
          status.textContent = t("attach.refused_by_storage");
          return;
        }
        input.value = "";
        status.textContent = t("staff.attach.uploaded");
        load(section, number, api, POLL_TRIES);
      });
    }).catch(function () {
      status.textContent = t("staff.attach.failed", { status: 0 });
    });
  }

  /* The case screen's attachments: ``api`` is the console's authorised request function. */
  function show(section, number, api) {
    if (!section || !number) {
      return;
    }
    section.setAttribute("data-number", String(number));
    section.hidden = false;
    var button = part(section, "upload");
    var fresh = button.cloneNode(true);  // one listener, for the case shown now
    button.parentNode.replaceChild(fresh, button);
    fresh.addEventListener("click", function () {
      upload(section, String(number), api);
    });
    load(section, String(number), api, POLL_TRIES);
  }

  sc.showAttachments = function (c) {
    show(sc.$("sc-attachments"), c.tracking_no, sc.api);
  };
})();
