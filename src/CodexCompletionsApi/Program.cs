using CodexCompletionsApi.Api;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGatewayServices();          // Configuration/: options, Codex worker, backend, metrics

var app = builder.Build();
app.UseGatewayMiddleware();            // Configuration/: CORS (when enabled), API keys on /v1
app.MapObservabilityEndpoints();       // Observability/: /livez /readyz /healthz /metrics
app.MapOpenAIApi();                    // Api/: /v1/models, /v1/chat/completions, /v1/completions, /v1/responses

app.Run();

/// <summary>Entry point; public for WebApplicationFactory.</summary>
public partial class Program;
