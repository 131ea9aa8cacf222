namespace CodexCompletionsApi.Api;

/// <summary>Requires <c>Authorization: Bearer &lt;key&gt;</c> on <c>/v1/*</c> when keys are configured.</summary>
internal static class ApiKeyMiddleware
{
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app)
        => app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/v1"),
            branch => branch.Use(async (context, next) =>
            {
                var validator = context.RequestServices.GetRequiredService<ApiKeyValidator>();
                if (validator.Disabled)
                {
                    await next(context);
                    return;
                }

                var header = context.Request.Headers.Authorization.ToString();
                const string scheme = "Bearer ";
                var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
                if (!validator.IsValid(presented))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await OpenAIErrors.Error(
                        401,
                        presented is null ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'." : "Incorrect API key provided.",
                        "invalid_request_error",
                        null,
                        "invalid_api_key").ExecuteAsync(context);
                    return;
                }

                await next(context);
            }));
}
