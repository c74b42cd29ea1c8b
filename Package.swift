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
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Debian's libyaml (libyaml-dev): see docs/ARCHITECTURE.md for why not Yams.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // glibc's posix_spawn chdir action (declared only with _GNU_SOURCE).
        .systemLibrary(name: "CSpawn"),
        // Debian's OpenSSL libcrypto (libssl-dev) for HMAC.
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian's libgit2 1.5.1 (libgit2-dev): module map plus a shim for its variadic option call.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // Kinds, specs, validation rules, the instance-type catalog. No I/O, no YAML.
        .target(name: "BCModel"),
        // Render farm model: framer.py's frame split, chunking, Blender and custom command lines, Blender log parsing. No I/O.
        .target(name: "BCRender", dependencies: ["BCModel"]),
        // YAML with locations, typed decoding with diagnostics, JSON Schema, formatting.
        .target(name: "BCManifest", dependencies: ["BCModel", "CLibYAML"]),
        // BatchCompute wire format: the acs and OSS request signatures, credentials, IDs, errors.
        .target(name: "BCAPI", dependencies: ["COpenSSLCrypto"]),
        // The client the reconciler reaches live state through: signed keep-alive HTTP/1.1 on
        // swift-nio (already built for the server), no TLS stack of its own.
        .target(name: "BCClient", dependencies: [
            "BCAPI", "BCModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The embedded engine: SQLite store and the BatchCompute REST server. Knows nothing of manifests.
        .target(name: "BCEngine", dependencies: [
            "BCAPI", "BCModel", "CSpawn",  // BCModel only for the instance-type catalog
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),  // the connection cap
            .product(name: "HTTPTypes", package: "swift-http-types"),  // header names the replay window reads
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // `bcctl engine …`: kept apart so bcplan and bcapply do not link the server.
        .target(name: "BCEngineCommands", dependencies: [
            "BCAPI", "BCEngine", "BCCommands", "BCController", "BCClient", "BCGit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .executableTarget(name: "bcbench", dependencies: ["BCModel", "BCManifest", "CLibYAML", "BCAPI", "BCEngine", "BCClient"]),
        // Helpers the test targets share (running the built executables).
        .target(name: "BCTestSupport", path: "Tests/BCTestSupport"),
        .testTarget(name: "BCModelTests", dependencies: ["BCModel"]),
        .testTarget(name: "BCRenderTests", dependencies: ["BCRender", "BCModel"], resources: [.copy("framer.py")]),
        .testTarget(name: "BCManifestTests", dependencies: ["BCModel", "BCManifest", "CLibYAML", "BCTestSupport"],
                    resources: [.copy("Corpus")]),
        .testTarget(name: "BCAPITests", dependencies: ["BCAPI"]),
        .testTarget(name: "BCGitTests", dependencies: ["BCGit"]),
        .testTarget(name: "BCEngineTests", dependencies: ["BCEngine", "BCAPI", "BCTestSupport"], exclude: ["sdk"]),
        .testTarget(name: "BCPlanTests", dependencies: ["BCPlan", "BCModel", "BCManifest", "BCClient", "BCTestSupport"], exclude: ["sdk"]),
        .testTarget(name: "BCControllerTests", dependencies: ["BCController", "BCClient", "BCModel", "BCTestSupport"]),
        .testTarget(name: "BCCommandsTests", dependencies: ["BCCommands", "BCManifest", "BCTestSupport"]),
    ]
)
