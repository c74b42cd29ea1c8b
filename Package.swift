// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "bcops",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bcplan", targets: ["bcplan"]),
        .executable(name: "bcapply", targets: ["bcapply"]),
        .executable(name: "bcctl", targets: ["bcctl"]),
        .executable(name: "bcops-keeper", targets: ["bcops-keeper"]),
        .library(name: "BCModel", targets: ["BCModel"]),
        .library(name: "BCManifest", targets: ["BCManifest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the graph through Hummingbird; named so the modules that log declare it.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Debian's libyaml (libyaml-dev): see docs/ARCHITECTURE.md, "Decisions and deviations", for why not Yams.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // glibc's posix_spawn chdir action (declared only with _GNU_SOURCE).
        .systemLibrary(name: "CSpawn"),
        // Debian's OpenSSL libcrypto (libssl-dev) for HMAC.
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian's libgit2 1.5.1 (libgit2-dev): module map plus a shim for its variadic option call.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // Debian's libcurl with OpenSSL (libcurl4-openssl-dev): BCClient's transport (https, proxies,
        // keep-alive). Module map plus a shim for its variadic option calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // JSONValue, its parser and canonical writer: the one JSON tree the contract, the client
        // and the model share. A leaf, so the client needs no model to read an answer.
        .target(name: "BCJSON"),
        // Kinds, specs, validation rules, the instance-type catalog. No I/O, no YAML.
        .target(name: "BCModel", dependencies: ["BCJSON"]),
        // Render farm model: framer.py's frame split, chunking, Blender and custom command lines, Blender log parsing. No I/O.
        .target(name: "BCRender", dependencies: ["BCModel"]),
        // YAML with locations, typed decoding with diagnostics, JSON Schema, formatting.
        .target(name: "BCManifest", dependencies: ["BCModel", "CLibYAML"]),
        // BatchCompute wire format: the acs and OSS request signatures, credentials, IDs, errors.
        .target(name: "BCAPI", dependencies: ["BCJSON", "COpenSSLCrypto"]),
        // The client the reconciler reaches live state through: signed keep-alive HTTP/1.1 on
        // libcurl (https with the system store or a CA file, the environment's proxies).
        .target(name: "BCClient", dependencies: ["BCAPI", "BCJSON", "CCurl"]),
        // The embedded engine: SQLite store and the BatchCompute REST server. Knows nothing of manifests.
        .target(name: "BCEngine", dependencies: [
            "BCAPI", "BCModel", "CSpawn",  // BCModel only for the instance-type catalog
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),  // the connection cap
            .product(name: "HTTPTypes", package: "swift-http-types"),  // header names the replay window reads
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `bcctl engine …`: kept apart so bcplan and bcapply do not link the server.
        .target(name: "BCEngineCommands", dependencies: [
            "BCAPI", "BCEngine", "BCCommands", "BCController", "BCClient", "BCDashboard", "BCGit", "BCModel", "BCCromwell",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The reconciler's core: manifests lowered to API terms, refresh, diff, plans and their
        // renderers, apply. Reaches live state only through BCClient.
        .target(name: "BCPlan", dependencies: ["BCModel", "BCManifest", "BCAPI", "BCClient"]),
        // The controller's git: a bare mirror fetched with libgit2, manifests read from a commit's tree, no checkout.
        .target(name: "BCGit", dependencies: ["CGit2"]),
        // Render jobs read through the API (progress, per-node view, logs) and their outputs downloaded.
        .target(name: "BCRenderClient", dependencies: ["BCRender", "BCClient", "BCModel", "BCAPI"]),
        // The controller: git watch and webhooks → plan → apply, conditions, history, metrics.
        .target(name: "BCController", dependencies: [
            "BCModel", "BCManifest", "BCAPI", "BCClient", "BCPlan", "BCGit", "BCRenderClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The web dashboard (issue 17): read-only server-rendered pages at /ui/, reading live state
        // through BCClient only. Mustache templates (swift-mustache) that escape every value by default.
        .target(name: "BCDashboard", dependencies: [
            "BCAPI", "BCClient", "BCRenderClient", "BCModel", "BCRender",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Cromwell's REST API (issue 18) over the engine: each workflow a runner job built by
        // WorkflowRun's lowering; live state only through BCClient, records on OSS.
        .target(name: "BCCromwell", dependencies: [
            "BCAPI", "BCClient", "BCModel", "BCPlan", "BCRenderClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command implementations the three executables share.
        .target(name: "BCCommands", dependencies: [
            "BCModel", "BCManifest", "BCPlan", "BCClient", "BCRender", "BCRenderClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "bcplan", dependencies: ["BCCommands"]),
        .executableTarget(name: "bcapply", dependencies: ["BCCommands"]),
        .executableTarget(name: "bcctl", dependencies: ["BCCommands", "BCEngineCommands"]),
        // One per engine process: this small C program spawns the engine's instances and writes
        // each one's exit status to a file, so a restarted engine records what finished while it
        // was down (see docs/ARCHITECTURE.md, "What the engine promises about executions").
        .executableTarget(name: "bcops-keeper", path: "Sources/bcops-keeper", linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        // Benchmarks (bench/*.sh build it in release mode and run it).
        .executableTarget(name: "bcbench", dependencies: ["BCModel", "BCManifest", "CLibYAML", "BCAPI", "BCEngine", "BCClient", "BCPlan"]),
        // Helpers the test targets share (running the built executables).
        .target(name: "BCTestSupport", path: "Tests/BCTestSupport"),
        .testTarget(name: "BCModelTests", dependencies: ["BCModel"]),
        .testTarget(name: "BCRenderTests", dependencies: ["BCRender", "BCModel"], resources: [.copy("framer.py")]),
        .testTarget(name: "BCManifestTests", dependencies: ["BCModel", "BCManifest", "CLibYAML", "BCTestSupport"],
                    resources: [.copy("Corpus")]),
        .testTarget(name: "BCAPITests", dependencies: ["BCAPI"]),
        .testTarget(name: "BCGitTests", dependencies: ["BCGit"]),
        // The client's transport against the real engine behind a TLS terminator and a proxy (loopback_servers.py).
        .testTarget(name: "BCClientTests", dependencies: ["BCClient", "BCTestSupport"], exclude: ["loopback_servers.py"]),
        .testTarget(name: "BCEngineTests", dependencies: ["BCEngine", "BCAPI", "BCTestSupport"], exclude: ["sdk"]),
        .testTarget(name: "BCPlanTests", dependencies: ["BCPlan", "BCModel", "BCManifest", "BCClient", "BCTestSupport"], exclude: ["sdk"]),
        .testTarget(name: "BCControllerTests", dependencies: ["BCController", "BCClient", "BCModel", "BCTestSupport"]),
        .testTarget(name: "BCDashboardTests", dependencies: ["BCDashboard", "BCClient", "BCTestSupport"], exclude: ["browser"]),
        // Cromwell's real clients (cromshell, cromwell-tools, curl) against a real engine.
        .testTarget(name: "BCCromwellTests", dependencies: ["BCTestSupport"]),
        .testTarget(name: "BCCommandsTests", dependencies: ["BCCommands", "BCManifest", "BCTestSupport"]),
    ]
)
