/// Manifests the test suites share: a host cluster, an App, a DAG job that runs on the
/// cluster and a run of the App, each the smallest that a real engine applies and runs.
extension Estate {
    public static let cluster = """
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: workers
        spec:
          imageId: img-ubuntu
          instanceType: ecs.sn1.medium
          runtime: host
          groups:
            main:
              desiredCount: 1
          env:
            STAGE: test
        """

    /// The App `hello`: `app(commandLine:input:)` varies its command and its input's name.
    public static let app = app()

    public static func app(commandLine: String = "echo hello ${name}", input: String = "name") -> String {
        """
        apiVersion: bcops.io/v1
        kind: App
        metadata:
          name: hello
        spec:
          image:
            docker:
              image: busybox
          commandLine: \(commandLine)
          inputs:
            \(input):
              default: world
          config:
            instanceCount: 1
        """
    }

    /// A DAG job of two instances on `workers` (`greet` unless named otherwise).
    public static let job = job()

    public static func job(name: String = "greet") -> String {
        """
        apiVersion: bcops.io/v1
        kind: Job
        metadata:
          name: \(name)
        spec:
          tasks:
            say:
              cluster: workers
              instanceCount: 2
              command: echo hi
              stdoutRedirectPath: oss://bucket/logs/
              stderrRedirectPath: oss://bucket/logs/
        """
    }

    /// A run of the App `hello` on `workers`, declared as a Job with `app:`.
    public static let appRun = """
        apiVersion: bcops.io/v1
        kind: Job
        metadata:
          name: greet
        spec:
          app: hello
          inputs:
            name: bcops
          config:
            cluster: workers
            instanceCount: 2
          stdoutRedirectPath: oss://bucket/app-logs/
          stderrRedirectPath: oss://bucket/app-logs/
        """
}
