using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Backend.AppServer.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

public sealed class JsonRpcConnectionTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = RpcHarness.Wait;

    private static CodexJsonContext Json => CodexJsonContext.Default;

    private static Task<JsonElement> Call(RpcHarness harness, string threadId, CancellationToken cancellationToken, TimeSpan? timeout = null)
        => harness.Connection.CallRawAsync(
            CodexMethods.ThreadUnsubscribe,
            new ThreadUnsubscribeParams(threadId),
            Json.ThreadUnsubscribeParams,
            timeout ?? CallTimeout,
            cancellationToken);

    private static async Task<IncomingMessage> ReadBoundedAsync(ThreadSubscription subscription, CancellationToken cancellationToken)
        => await subscription.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(Wait, cancellationToken);

    [Fact]
    public async Task CallRawAsync_ResponsesArriveOutOfOrder_EachCallGetsItsOwnResult()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var first = Call(harness, "a", ct);
        var firstId = await harness.ReadRequestIdAsync(ct);
        var second = Call(harness, "b", ct);
        var secondId = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendLineAsync($$$"""{"jsonrpc":"2.0","id":{{{secondId}}},"result":{"status":"second"}}""", ct);
        await harness.SendLineAsync($$$"""{"jsonrpc":"2.0","id":{{{firstId}}},"result":{"status":"first"}}""", ct);
        var firstResult = await first.WaitAsync(Wait, ct);
        var secondResult = await second.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("first", firstResult.GetProperty("status").GetString());
        Assert.Equal("second", secondResult.GetProperty("status").GetString());
        Assert.Equal(0, harness.Connection.PendingCalls);
    }

    [Fact]
    public async Task CallRawAsync_SeveralCalls_UsesIncreasingIntegerIds()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var ids = new List<JsonElement>();

        // Act
        for (var i = 0; i < 3; i++)
        {
            _ = Call(harness, $"t{i}", ct);
            ids.Add((await harness.ReadMessageAsync(ct)).GetProperty("id"));
        }

        // Assert
        Assert.All(ids, id => Assert.Equal(JsonValueKind.Number, id.ValueKind));
        var values = ids.Select(id => id.GetInt64()).ToList();
        Assert.True(values[0] < values[1] && values[1] < values[2], $"ids not increasing: {string.Join(",", values)}");
    }

    [Fact]
    public async Task CallRawAsync_Request_IsWrittenAsOneJsonRpcLineEndingInNewline()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();

        // Act
        _ = Call(harness, "thr_1", ct);
        var raw = await harness.ReadRawLineAsync(ct);

        // Assert
        Assert.Equal((byte)'\n', raw[^1]);
        Assert.Equal(1, raw.Count(b => b == (byte)'\n'));
        Assert.DoesNotContain((byte)'\r', raw);
        using var document = JsonDocument.Parse(raw);
        var root = document.RootElement;
        Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
        Assert.Equal("thread/unsubscribe", root.GetProperty("method").GetString());
        Assert.Equal("thr_1", root.GetProperty("params").GetProperty("threadId").GetString());
    }

    [Fact]
    public async Task NotifyAsync_Notification_IsWrittenWithoutIdOrParams()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();

        // Act
        await harness.Connection.NotifyAsync(CodexMethods.Initialized, ct);
        var message = await harness.ReadMessageAsync(ct);

        // Assert
        Assert.Equal("2.0", message.GetProperty("jsonrpc").GetString());
        Assert.Equal("initialized", message.GetProperty("method").GetString());
        Assert.False(message.TryGetProperty("id", out _));
        Assert.False(message.TryGetProperty("params", out _));
    }

    [Fact]
    public async Task CallAsync_ResponseWithoutJsonRpcMember_ReturnsTypedResult()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = harness.Connection.CallAsync(
            CodexMethods.ThreadStart,
            new ThreadStartParams { Model = "m" },
            Json.ThreadStartParams,
            Json.ThreadStartResult,
            CallTimeout,
            ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendLineAsync($$$"""{"id":{{{id}}},"result":{"thread":{"id":"thr_9","cliVersion":"0.169.0"},"model":"m"}}""", ct);
        var result = await call.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("thr_9", result.Thread.Id);
        Assert.Equal("m", result.Model);
    }

    [Fact]
    public async Task CallRawAsync_ErrorResponse_ThrowsJsonRpcRemoteExceptionWithCodeAndMessage()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendLineAsync($$$$"""{"id":{{{{id}}}},"error":{"code":-32600,"message":"thread not found","data":{"x":1}}}""", ct);
        var error = await Assert.ThrowsAsync<JsonRpcRemoteException>(() => call.WaitAsync(Wait, ct));

        // Assert
        Assert.Equal(-32600, error.Code);
        Assert.Equal("thread not found", error.RemoteMessage);
        Assert.Equal("thread/unsubscribe", error.Method);
        Assert.Equal(1, error.ErrorData!.Value.GetProperty("x").GetInt32());
        Assert.Equal(0, harness.Connection.PendingCalls);
    }

    [Fact]
    public async Task CallRawAsync_NoResponseWithinTimeout_ThrowsTimeoutAndRemovesPendingCall()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var harness = new RpcHarness(time);
        var call = Call(harness, "a", ct, TimeSpan.FromSeconds(10));
        await harness.ReadRequestIdAsync(ct);
        Assert.Equal(1, harness.Connection.PendingCalls);

        // Act
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<BackendException>(() => call.WaitAsync(Wait, ct));

        // Assert
        Assert.Equal(BackendErrorKind.Timeout, error.Kind);
        Assert.Contains("thread/unsubscribe", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Connection.PendingCalls);
    }

    [Fact]
    public async Task CallRawAsync_CallerCancels_ThrowsOperationCanceledAndRemovesPendingCall()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var call = Call(harness, "a", caller.Token);
        var id = await harness.ReadRequestIdAsync(ct);
        Assert.Equal(1, harness.Connection.PendingCalls);

        // Act
        await caller.CancelAsync();
        var error = await Record.ExceptionAsync(() => call.WaitAsync(Wait, ct));

        // Assert
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(0, harness.Connection.PendingCalls);

        // A late response for the cancelled call is ignored and the connection still works.
        await harness.SendLineAsync($$$"""{"id":{{{id}}},"result":{}}""", ct);
        var next = Call(harness, "b", ct);
        var nextId = await harness.ReadRequestIdAsync(ct);
        await harness.SendLineAsync($$$"""{"id":{{{nextId}}},"result":{"status":"ok"}}""", ct);
        Assert.Equal("ok", (await next.WaitAsync(Wait, ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadLoop_MalformedLines_AreSkippedCountedAndConnectionKeepsWorking()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendLineAsync("this is not json", ct);
        await harness.SendLineAsync("[1,2,3]", ct);
        await harness.SendLineAsync("""{"jsonrpc":"2.0","foo":"bar"}""", ct);
        await harness.SendLineAsync("""{"id":1,"result":""", ct);
        await harness.SendLineAsync($$$"""{"id":{{{id}}},"result":{"status":"alive"}}""", ct);
        var result = await call.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("alive", result.GetProperty("status").GetString());
        Assert.Equal(4, harness.Connection.MalformedLines);
        Assert.False(harness.Connection.Completion.IsCompleted);
    }

    [Fact]
    public async Task ReadLoop_OneMegabyteLine_IsParsed()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var subscription = harness.Connection.Subscribe("thr_big");
        var delta = new string('x', 1024 * 1024);

        // Act
        await harness.SendLineAsync($$$"""{"method":"item/agentMessage/delta","params":{"threadId":"thr_big","turnId":"t","itemId":"i","delta":"{{{delta}}}"}}""", ct);
        var message = await ReadBoundedAsync(subscription, ct);

        // Assert
        Assert.Equal(delta.Length, message.Params.GetProperty("delta").GetString()!.Length);
        Assert.Equal(0, harness.Connection.MalformedLines);
    }

    [Fact]
    public async Task ReadLoop_CrLfLineEndings_AreAccepted()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var subscription = harness.Connection.Subscribe("thr_1");
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendAsync($$$"""{"method":"turn/started","params":{"threadId":"thr_1"}}""" + "\r\n", ct);
        await harness.SendAsync($$$"""{"id":{{{id}}},"result":{"status":"crlf"}}""" + "\r\n", ct);
        var result = await call.WaitAsync(Wait, ct);
        var notification = await ReadBoundedAsync(subscription, ct);

        // Assert
        Assert.Equal("crlf", result.GetProperty("status").GetString());
        Assert.Equal("turn/started", notification.Method);
        Assert.Equal(0, harness.Connection.MalformedLines);
    }

    [Fact]
    public async Task ReadLoop_BlankLines_AreIgnoredWithoutCountingAsMalformed()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendAsync("\n\n   \n\t\r\n\r\n", ct);
        await harness.SendLineAsync($$$"""{"id":{{{id}}},"result":{"status":"ok"}}""", ct);
        var result = await call.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("ok", result.GetProperty("status").GetString());
        Assert.Equal(0, harness.Connection.MalformedLines);
    }

    [Fact]
    public async Task ReadLoop_MessageSplitAcrossWrites_IsReassembled()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);
        var line = $$$"""{"id":{{{id}}},"result":{"status":"reassembled","text":"héllo wörld"}}""" + "\n";
        var bytes = Encoding.UTF8.GetBytes(line);

        // Act: three chunks, one of them splitting a multi-byte character
        var cut1 = 5;
        var cut2 = Array.IndexOf(bytes, (byte)0xC3) + 1;
        await harness.SendRawAsync(bytes[..cut1], ct);
        await Task.Delay(20, ct);
        Assert.False(call.IsCompleted);
        await harness.SendRawAsync(bytes[cut1..cut2], ct);
        await Task.Delay(20, ct);
        Assert.False(call.IsCompleted);
        await harness.SendRawAsync(bytes[cut2..], ct);
        var result = await call.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("reassembled", result.GetProperty("status").GetString());
        Assert.Equal("héllo wörld", result.GetProperty("text").GetString());
        Assert.Equal(0, harness.Connection.MalformedLines);
    }

    [Fact]
    public async Task ReadLoop_ResponseWithUnknownId_IsIgnored()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var call = Call(harness, "a", ct);
        var id = await harness.ReadRequestIdAsync(ct);

        // Act
        await harness.SendLineAsync("""{"id":999999,"result":{"status":"stray"}}""", ct);
        await harness.SendLineAsync("""{"id":"text-id","result":{"status":"stray"}}""", ct);
        await harness.SendLineAsync($$$"""{"id":{{{id}}},"result":{"status":"mine"}}""", ct);
        var result = await call.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("mine", result.GetProperty("status").GetString());
        Assert.Equal(0, harness.Connection.MalformedLines);
    }

    [Fact]
    public async Task Subscribe_NotificationWithThreadId_IsRoutedToThatThreadOnly()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var one = harness.Connection.Subscribe("thr_1");
        using var two = harness.Connection.Subscribe("thr_2");
        var unrouted = 0;
        harness.Connection.UnroutedNotification += _ => Interlocked.Increment(ref unrouted);

        // Act
        await harness.SendLineAsync("""{"method":"item/agentMessage/delta","params":{"threadId":"thr_2","delta":"for two"}}""", ct);
        await harness.SendLineAsync("""{"method":"item/agentMessage/delta","params":{"threadId":"thr_1","delta":"for one"}}""", ct);
        var forTwo = await ReadBoundedAsync(two, ct);
        var forOne = await ReadBoundedAsync(one, ct);

        // Assert
        Assert.Equal("for two", forTwo.Params.GetProperty("delta").GetString());
        Assert.Equal("for one", forOne.Params.GetProperty("delta").GetString());
        Assert.Equal("item/agentMessage/delta", forOne.Method);
        Assert.False(forOne.IsRequest);
        Assert.False(one.Reader.TryRead(out _));
        Assert.False(two.Reader.TryRead(out _));
        Assert.Equal(0, Volatile.Read(ref unrouted));
        Assert.Equal(2, harness.Connection.SubscribedThreads);
    }

    [Fact]
    public async Task Subscribe_NotificationWithNestedThreadObject_IsRoutedByThreadId()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var subscription = harness.Connection.Subscribe("thr_nested");

        // Act
        await harness.SendLineAsync("""{"method":"thread/started","params":{"thread":{"id":"thr_nested","cliVersion":"x"}}}""", ct);
        var message = await ReadBoundedAsync(subscription, ct);

        // Assert
        Assert.Equal("thread/started", message.Method);
        Assert.Equal("thr_nested", message.Params.GetProperty("thread").GetProperty("id").GetString());
    }

    [Fact]
    public async Task UnroutedNotification_NoSubscriberForThread_RaisesEvent()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        using var subscription = harness.Connection.Subscribe("thr_other");
        var raised = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.UnroutedNotification += message => raised.TrySetResult(message);

        // Act
        await harness.SendLineAsync("""{"method":"account/rateLimits/updated","params":{"threadId":"thr_unknown","x":1}}""", ct);
        var message = await raised.Task.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("account/rateLimits/updated", message.Method);
        Assert.Equal(1, message.Params.GetProperty("x").GetInt32());
        Assert.False(subscription.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ThreadSubscriptionDispose_LaterNotifications_AreUnroutedAndReaderCompletes()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var subscription = harness.Connection.Subscribe("thr_1");
        var raised = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.UnroutedNotification += message => raised.TrySetResult(message);

        // Act
        subscription.Dispose();
        await harness.SendLineAsync("""{"method":"turn/completed","params":{"threadId":"thr_1"}}""", ct);
        var message = await raised.Task.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("turn/completed", message.Method);
        Assert.Equal(0, harness.Connection.SubscribedThreads);
        await subscription.Reader.Completion.WaitAsync(Wait, ct);
    }

    [Fact]
    public async Task Subscribe_SameThreadTwice_Throws()
    {
        // Arrange
        await using var harness = new RpcHarness();
        using var subscription = harness.Connection.Subscribe("thr_1");

        // Act
        var error = Record.Exception(() => harness.Connection.Subscribe("thr_1"));

        // Assert
        Assert.IsType<InvalidOperationException>(error);
    }

    [Fact]
    public async Task Subscribe_ServerRequestForThread_ArrivesOnReaderWithRequestId()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        var policyCalls = 0;
        await using var harness = new RpcHarness(policy: message =>
        {
            Interlocked.Increment(ref policyCalls);
            return ServerRequestAnswer.Error(-1, "should not be asked");
        });
        using var subscription = harness.Connection.Subscribe("thr_1");

        // Act
        await harness.SendLineAsync("""{"id":42,"method":"item/tool/call","params":{"threadId":"thr_1","turnId":"t","callId":"c","tool":"lookup","arguments":{}}}""", ct);
        var message = await ReadBoundedAsync(subscription, ct);

        // Assert
        Assert.True(message.IsRequest);
        Assert.Equal(42, message.RequestId!.Value.GetInt32());
        Assert.Equal("item/tool/call", message.Method);
        Assert.Equal(0, Volatile.Read(ref policyCalls));

        // Nothing was answered on the thread's behalf: the next line written is our own request.
        _ = Call(harness, "next", ct);
        var next = await harness.ReadMessageAsync(ct);
        Assert.Equal("thread/unsubscribe", next.GetProperty("method").GetString());
    }

    [Fact]
    public async Task ReadLoop_UnroutedServerRequest_IsAnsweredWithPolicyResult()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        IncomingMessage? asked = null;
        await using var harness = new RpcHarness(policy: message =>
        {
            asked = message;
            return ServerRequestAnswer.Result(new DecisionResponse("decline"), CodexJsonContext.Default.DecisionResponse);
        });

        // Act
        await harness.SendLineAsync("""{"id":7,"method":"item/commandExecution/requestApproval","params":{"threadId":"thr_nobody"}}""", ct);
        var answer = await harness.ReadRawLineAsync(ct);

        // Assert
        Assert.Equal("""{"jsonrpc":"2.0","id":7,"result":{"decision":"decline"}}""" + "\n", Encoding.UTF8.GetString(answer));
        Assert.Equal("item/commandExecution/requestApproval", asked!.Method);
    }

    [Fact]
    public async Task ReadLoop_UnroutedServerRequestWithStringId_IsAnsweredWithPolicyErrorEchoingId()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness(policy: _ => ServerRequestAnswer.Error(-32601, "not supported"));

        // Act
        await harness.SendLineAsync("""{"id":"req-7","method":"attestation/generate","params":{}}""", ct);
        var answer = await harness.ReadMessageAsync(ct);

        // Assert
        Assert.Equal("2.0", answer.GetProperty("jsonrpc").GetString());
        Assert.Equal("req-7", answer.GetProperty("id").GetString());
        Assert.False(answer.TryGetProperty("result", out _));
        var error = answer.GetProperty("error");
        Assert.Equal(-32601, error.GetProperty("code").GetInt32());
        Assert.Equal("not supported", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ReadLoop_InputEnds_FailsPendingCallsAndSubscriptionsWithUnavailable()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var first = Call(harness, "a", ct);
        var second = Call(harness, "b", ct);
        await harness.ReadRequestIdAsync(ct);
        await harness.ReadRequestIdAsync(ct);
        using var subscription = harness.Connection.Subscribe("thr_1");

        // Act
        await harness.ExitAsync();
        await harness.Connection.Completion.WaitAsync(Wait, ct);

        // Assert
        var firstError = await Assert.ThrowsAsync<BackendException>(() => first.WaitAsync(Wait, ct));
        var secondError = await Assert.ThrowsAsync<BackendException>(() => second.WaitAsync(Wait, ct));
        Assert.Equal(BackendErrorKind.Unavailable, firstError.Kind);
        Assert.Equal(BackendErrorKind.Unavailable, secondError.Kind);
        var readerError = await Assert.ThrowsAsync<BackendException>(() => subscription.Reader.Completion.WaitAsync(Wait, ct));
        Assert.Equal(BackendErrorKind.Unavailable, readerError.Kind);
        Assert.Equal(0, harness.Connection.PendingCalls);
        Assert.Equal(0, harness.Connection.SubscribedThreads);
    }

    [Fact]
    public async Task CallRawAsync_AfterInputEnded_ThrowsUnavailableWithTerminationDetail()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        harness.Connection.TerminationDetail = "codex exited with code 137";
        await harness.ExitAsync();
        await harness.Connection.Completion.WaitAsync(Wait, ct);

        // Act
        var callError = await Assert.ThrowsAsync<BackendException>(() => Call(harness, "a", ct).WaitAsync(Wait, ct));
        var subscribeError = Assert.Throws<BackendException>(() => harness.Connection.Subscribe("thr_1"));

        // Assert
        Assert.Equal(BackendErrorKind.Unavailable, callError.Kind);
        Assert.Equal("codex exited with code 137", callError.Message);
        Assert.Equal(BackendErrorKind.Unavailable, subscribeError.Kind);
        Assert.Equal(0, harness.Connection.PendingCalls);
    }

    [Fact]
    public async Task ReadLoop_FinalLineWithoutNewline_IsProcessedBeforeCompletion()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new RpcHarness();
        var raised = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.UnroutedNotification += message => raised.TrySetResult(message);

        // Act
        await harness.SendAsync("""{"method":"warning","params":{"message":"bye"}}""", ct);
        await harness.ExitAsync();
        var message = await raised.Task.WaitAsync(Wait, ct);

        // Assert
        Assert.Equal("warning", message.Method);
        await harness.Connection.Completion.WaitAsync(Wait, ct);
    }
}
