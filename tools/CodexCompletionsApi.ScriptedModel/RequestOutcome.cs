namespace CodexCompletionsApi.ScriptedModel;

/// <summary>How a recorded request ended.</summary>
public enum RequestOutcome
{
    /// <summary>The response is still being written.</summary>
    Pending,

    /// <summary>
    /// The scripted response was delivered as asked, including scripted failures
    /// (<c>http_error</c>, <c>failed</c>, <c>incomplete</c>) and the deliberate abort of <c>cut</c>.
    /// </summary>
    Completed,

    /// <summary>The caller dropped the connection before the response finished.</summary>
    ClientAborted,

    /// <summary>
    /// The scripted model rejected the request (bad directive, malformed body, no <c>stream:true</c>, unknown path),
    /// failed unexpectedly, or was stopped while answering.
    /// </summary>
    Error,
}
