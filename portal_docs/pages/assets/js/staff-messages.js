/*
 * The messages sent about a case (e-mail and SMS, from the outbox): what, to whom (the complainant's
 * address masked), when and whether it was delivered; a failed one can be sent again.
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
  var counter = 0;

  var messagesTable = $("sc-messages");
  var messagesStatus = $("sc-messages-status");

  function renderMessages(body) {
    var tbody = messagesTable.querySelector("tbody");
    P.clear(tbody);
    var items = Array.isArray(body.items) ? body.items : [];
    items.forEach(function (message) {
      var what = el("td", {}, [
        el("span", { className: "sc-cell__main", text: P.pick(message.template_label) || message.template }),
        el("span", { className: "sc-cell__sub", text: t("staff.messages.by." + message.channel) + " · " + sc.formatCompact(message.sent_at || message.created_at) })
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
    var mine = ++counter;
    messagesStatus.textContent = t("staff.messages.loading");
    sc.api("GET", "/admin/complaints/" + encodeURIComponent(number) + "/messages").then(function (response) {
      if (mine !== counter) {
        return;
      }
      if (response.status === 200 && response.body) {
        renderMessages(response.body);
      } else {
        messagesTable.hidden = true;
        messagesStatus.textContent = t("staff.messages.failed_load");
      }
    }).catch(function (error) {
      if (error !== sc.HANDLED && mine === counter) {
        messagesStatus.textContent = t("staff.messages.failed_load");
      }
    });
  }

  function resendMessage(number, id, button) {
    button.disabled = true;
    sc.api("POST", "/admin/complaints/" + encodeURIComponent(number) + "/messages/" + encodeURIComponent(id) + "/resend").then(function (response) {
      if (response.status === 200 && response.body) {
        renderMessages(response.body);
        messagesStatus.textContent = t("staff.messages.resent");
      } else {
        button.disabled = false;
        messagesStatus.textContent = sc.errorMessage(response);
      }
    }).catch(function (error) {
      button.disabled = false;
      if (error !== sc.HANDLED) {
        messagesStatus.textContent = t("staff.error.network");
      }
    });
  }

  sc.loadMessages = loadMessages;
})();
