/*
 * Shared helpers of the portal's pages (no framework).
 * Reads the page's data (<script id="portal-data" type="application/json">) written at build
 * time by portal_docs/hooks/portal_data.py, and the API base from <meta name="portal-api-base">.
 * Every text that comes from the server is put in the page with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("portal-data");
  if (!dataElement) {
    return;
  }
  var data;
  try {
    data = JSON.parse(dataElement.textContent);
  } catch (error) {
    return;
  }

  var lang = data.lang === "en" ? "en" : "zh";
  var meta = document.querySelector('meta[name="portal-api-base"]');
  var apiBase = ((meta && meta.getAttribute("content")) || data.apiBase || "").replace(/\/+$/, "");
  var timeZone = data.timezone || "Asia/Shanghai";
  var utcOffsetHours = typeof data.utcOffsetHours === "number" ? data.utcOffsetHours : 8;
  var locale = lang === "zh" ? "zh-CN" : "en-GB";

  /* Interface text by key, with "{name}" filled from vars. */
  function t(key, vars) {
    var text = Object.prototype.hasOwnProperty.call(data.t, key) ? data.t[key] : key;
    var values = vars || {};
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* A label from the API: {"zh": .., "en": ..} or already a string. */
  function pick(label) {
    if (label === null || label === undefined) {
      return "";
    }
    if (typeof label === "object") {
      return String(label[lang] || label.zh || label.en || "");
    }
    return String(label);
  }

  var dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone: timeZone,
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23"
  });
  var dateFormat = new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    year: "numeric",
    month: "long",
    day: "numeric"
  });

  /* An ISO-8601 instant, shown in Beijing time: "2026年11月24日 10:00（北京时间）". */
  function formatDateTime(iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return String(iso);
    }
    var zone = t("common.beijing_time");
    var text = dateTimeFormat.format(date);
    return lang === "zh" ? text + "（" + zone + "）" : text + " (" + zone + ")";
  }

  /* A calendar date "2026-11-20" (no time zone involved). */
  function formatDate(isoDate) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
    if (!match) {
      return String(isoDate || "");
    }
    return dateFormat.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])));
  }

  /* Today's date in Beijing as "YYYY-MM-DD". */
  function todayInBeijing() {
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit"
    }).formatToParts(new Date());
    var get = function (type) {
      for (var i = 0; i < parts.length; i += 1) {
        if (parts[i].type === type) {
          return parts[i].value;
        }
      }
      return "";
    };
    return get("year") + "-" + get("month") + "-" + get("day");
  }

  /* A random UUID v4 (crypto.randomUUID needs a secure context; getRandomValues does not). */
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      try {
        return window.crypto.randomUUID();
      } catch (error) {
        /* fall through */
      }
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* A new element; text is always set with textContent. */
  function el(tag, options, children) {
    var node = document.createElement(tag);
    var opts = options || {};
    if (opts.className) {
      node.className = opts.className;
    }
    if (opts.text !== undefined && opts.text !== null) {
      node.textContent = String(opts.text);
    }
    if (opts.attrs) {
      Object.keys(opts.attrs).forEach(function (name) {
        node.setAttribute(name, opts.attrs[name]);
      });
    }
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  /* Plain text with line breaks as paragraphs. */
  function paragraphs(container, text) {
    clear(container);
    String(text || "").split(/\n\s*\n|\n/).forEach(function (line) {
      if (line.trim()) {
        container.appendChild(el("p", { text: line.trim() }));
      }
    });
  }

  /*
   * A request to the API. Resolves to {status, body, headers} (body: parsed JSON or null; headers:
   * the response's Headers); rejects only when the network fails.
   */
  function request(method, path, options) {
    var opts = options || {};
    var headers = { "Accept": "application/json", "Accept-Language": lang };
    Object.keys(opts.headers || {}).forEach(function (name) {
      headers[name] = opts.headers[name];
    });
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    }
    return window.fetch(apiBase + path, init).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (error) {
          body = null;
        }
        return { status: response.status, body: body, headers: response.headers };
      });
    });
  }

  /* The error object of an API error body, or an empty one. */
  function apiError(body) {
    return (body && typeof body === "object" && body.error && typeof body.error === "object")
      ? body.error : {};
  }

  function focusWithoutJump(node) {
    if (!node) {
      return;
    }
    if (!node.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(node.tagName)) {
      node.setAttribute("tabindex", "-1");
    }
    node.focus();
  }

  /* Shows ``message`` in the error slot beside a field and ties its controls to it (GOV.UK pattern). */
  function markFieldError(group, slot, controls, message) {
    group.classList.add("pf-form-group--error");
    clear(slot);
    slot.appendChild(el("span", { className: "pf-visually-hidden", text: t("common.error_prefix") + " " }));
    slot.appendChild(document.createTextNode(message));
    slot.hidden = false;
    Array.prototype.forEach.call(controls, function (control) {
      control.setAttribute("aria-invalid", "true");
      var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(slot.id) < 0) {
        ids.push(slot.id);
      }
      control.setAttribute("aria-describedby", ids.join(" "));
    });
  }

  /* Takes every field error of ``form`` away again (error slots are the ids ending in "-error"). */
  function clearFieldErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".pf-form-group--error"), function (group) {
      group.classList.remove("pf-form-group--error");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".pf-error-message"), function (slot) {
      slot.hidden = true;
      clear(slot);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (control) {
      control.removeAttribute("aria-invalid");
      var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (ids.length) {
        control.setAttribute("aria-describedby", ids.join(" "));
      } else {
        control.removeAttribute("aria-describedby");
      }
    });
  }

  window.Portal = {
    lang: lang,
    apiBase: apiBase,
    timeZone: timeZone,
    utcOffsetHours: utcOffsetHours,
    contacts: data.contacts || {},
    t: t,
    pick: pick,
    formatDateTime: formatDateTime,
    formatDate: formatDate,
    todayInBeijing: todayInBeijing,
    uuid: uuid,
    el: el,
    clear: clear,
    paragraphs: paragraphs,
    request: request,
    apiError: apiError,
    markFieldError: markFieldError,
    clearFieldErrors: clearFieldErrors,
    focus: focusWithoutJump
  };
})();
