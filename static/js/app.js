/* Pilote CTG – small htmx companions: French error announcements and focus after a swap. */
(function () {
  "use strict";

  var MESSAGES = {
    403: "Vous n'avez pas le droit d'effectuer cette action.",
    404: "Cet élément n'existe plus ou vous n'y avez pas accès.",
    409: "Cet élément a été modifié entre-temps : rechargez la page.",
    network: "Le serveur ne répond pas. Vérifiez votre connexion puis réessayez.",
    other: "Une erreur est survenue. Réessayez ; si elle persiste, prévenez l'administrateur."
  };

  function announce(text) {
    var region = document.getElementById("ctg-live-errors");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(MESSAGES[status] || MESSAGES.other);
  });
  document.addEventListener("htmx:sendError", function () { announce(MESSAGES.network); });
  document.addEventListener("htmx:beforeRequest", function () { announce(""); });

  /* A full page re-shown with errors: move focus to its error summary. */
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-ctg-focus-on-load]");
    if (summary) summary.focus();
  });

  /* GET forms (filters): leave empty fields out of the request, so pushed URLs stay short. */
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get" || !event.detail.formData) return;
    var data = event.detail.formData;
    Array.from(data.keys()).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) data.delete(key);
    });
  });

  /* After a swap, move focus to the first invalid field, else to the element marked for it. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document;
    var scope = document.getElementById(event.detail.target && event.detail.target.id) || root;
    var target = scope.querySelector("[aria-invalid='true']") || scope.querySelector("[data-ctg-autofocus]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  });
})();
