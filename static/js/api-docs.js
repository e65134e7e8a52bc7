/* api-docs.js: starts Swagger UI (static/vendor/swagger-ui-bundle.js, from
 * npm swagger-ui-dist) on the /api page over the document named by the
 * container's data-spec-url. A file of its own because the site's CSP
 * allows no inline script. The page lists every endpoint without it; the
 * container's data-api-docs tells how far it got (loading, rendered,
 * failed, unavailable), which tests/e2e/check-api-page.sh reads. */
(function () {
  "use strict";

  function start() {
    var box = document.querySelector(".api-docs[data-spec-url]");
    var viewer = document.getElementById("swagger-ui");
    if (!box || !viewer) return;
    if (typeof window.SwaggerUIBundle !== "function") {
      box.setAttribute("data-api-docs", "unavailable");
      return;
    }
    box.setAttribute("data-api-docs", "loading");
    try {
      window.SwaggerUIBundle({
        url: box.getAttribute("data-spec-url"),
        domNode: viewer,
        deepLinking: true,
        // never send the document to a third party for a badge
        validatorUrl: null,
        // every endpoint is a read: "Try it out" sends GETs to this server only
        supportedSubmitMethods: ["get", "head"],
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
        onComplete: function () {
          box.setAttribute("data-api-docs", "rendered");
        },
        onFailure: function () {
          box.setAttribute("data-api-docs", "failed");
        }
      });
    } catch (e) {
      box.setAttribute("data-api-docs", "failed");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
