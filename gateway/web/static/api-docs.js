// Starts Swagger UI on /api/v1/docs (gateway/openapi.py). A file, not an inline script:
// the page's CSP allows scripts from our own origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Swagger UI would otherwise send the description to validator.swagger.io.
    validatorUrl: null,
    // Cookie sessions need the CSRF header on unsafe requests (docs/api.md).
    requestInterceptor: function (request) {
      var match = document.cookie.match(/(?:^|; )haven_csrf=([^;]*)/);
      if (match) request.headers["X-CSRF-Token"] = decodeURIComponent(match[1]);
      return request;
    }
  });
});
