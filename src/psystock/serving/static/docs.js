// psystock's /docs: Swagger UI on this server's /openapi.json, "Try it out" open and prefilled
// with the served model's example, requests sent to this same server.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: -1,
    docExpansion: "list",
    validatorUrl: null,
  });
});
