using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>The stored-responses database behind <c>/v1/responses</c> (<c>store: true</c>).</summary>
public sealed class ResponsesOptions
{
    public const string SectionName = "Responses";

    /// <summary>The database file name used when <see cref="DatabasePath"/> is empty.</summary>
    public const string DefaultDatabaseFileName = "responses.db";

    /// <summary>
    /// The SQLite database file of stored responses (<c>PROXY_RESPONSES_DB</c>). A relative path
    /// resolves against the data directory (<see cref="ProxyOptions.DataDirectory"/>). Its directory
    /// is created on first use.
    /// </summary>
    /// <value>The default value is <c>responses.db</c> in the data directory.</value>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// How long a stored response stays readable and usable as <c>previous_response_id</c>
    /// (<c>PROXY_RESPONSES_RETENTION_DAYS</c>), counted from its <c>created_at</c>. Older rows are
    /// hidden at once and deleted by the next purge.
    /// </summary>
    /// <value>The default value is 30 days.</value>
    [Range(typeof(TimeSpan), "00:00:01", "36500.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired responses are deleted (<c>PROXY_RESPONSES_PURGE_INTERVAL_MS</c>); the first purge runs at startup.</summary>
    /// <value>The default value is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The absolute database path: <see cref="DatabasePath"/> resolved against <paramref name="dataDirectory"/>.</summary>
    /// <param name="dataDirectory">The absolute data directory (<see cref="ProxyOptions.ResolvedDataDirectory"/>).</param>
    public string ResolvedDatabasePath(string dataDirectory)
        => Path.GetFullPath(string.IsNullOrWhiteSpace(DatabasePath) ? DefaultDatabaseFileName : DatabasePath, dataDirectory);
}
