/// Ceilings on what one request may ask of the engine, like BatchCompute's quotas: without
/// them, one job of 300,000 instances took 22 s to create while every other call waited.
public struct EngineLimits: Sendable {
    /// Instances of one job, over all its tasks (`--max-instances-per-job`).
    public var maxInstancesPerJob: Int

    /// A connection with no request for this long is closed (`--idle-timeout`): idle
    /// connections held open by a client that went away cost a descriptor each.
    public var idleTimeoutSeconds: Int
    /// Connections open at once (`--max-connections`); beyond it, new ones wait in the backlog.
    public var maxConnections: Int
    /// How long an instance being stopped or timed out has between SIGTERM and SIGKILL
    /// (`--stop-grace`): a workflow runner stops its calls and writes how the run ended, a
    /// renderer flushes its frame. Zero: SIGKILL at once.
    public var stopGrace: Duration
    /// How often the node load of running instances is sampled (`--load-interval`): the seed's
    /// Render Manager refreshed CPU and memory every 30 s.
    public var loadInterval: Duration

    public static let defaultMaxInstancesPerJob = 100_000
    public static let defaultIdleTimeoutSeconds = 120
    public static let defaultMaxConnections = 512
    public static let defaultStopGrace = Duration.seconds(10)
    public static let defaultLoadInterval = Duration.seconds(30)

    public init(maxInstancesPerJob: Int = EngineLimits.defaultMaxInstancesPerJob,
                idleTimeoutSeconds: Int = EngineLimits.defaultIdleTimeoutSeconds,
                maxConnections: Int = EngineLimits.defaultMaxConnections,
                stopGrace: Duration = EngineLimits.defaultStopGrace,
                loadInterval: Duration = EngineLimits.defaultLoadInterval) {
        self.maxInstancesPerJob = maxInstancesPerJob
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.stopGrace = stopGrace
        self.loadInterval = loadInterval
    }
}
