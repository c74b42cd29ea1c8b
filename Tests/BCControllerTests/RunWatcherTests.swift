import BCClient
@testable import BCController
import BCManifest
import BCModel
import Foundation
import Testing

/// The controller follows run kinds through `RunWatcher`: each serves its kind's runs under its
/// own key of `/api/status`, there from the start.
@Suite struct RunWatcherTests {
    static let farm = """
        apiVersion: bcops.io/v1
        kind: RenderProject
        metadata:
          name: downloads
        spec:
          image: img-ubuntu
          software:
            name: blender
          ossMappings:
            - source: oss://farm/scenes/
              destination: /mnt/scenes/
          ossOutput: oss://farm/output/
          localOutputDir: /render_output/
          defaults:
            cluster: nodes
          autoDownload: true
          downloadDir: /srv/frames/
        ---
        apiVersion: bcops.io/v1
        kind: RenderProject
        metadata:
          name: keeps
        spec:
          image: img-ubuntu
          software:
            name: blender
          ossMappings:
            - source: oss://farm/scenes/
              destination: /mnt/scenes/
          ossOutput: oss://farm/output/
          localOutputDir: /render_output/
          defaults:
            cluster: nodes
        ---
        apiVersion: bcops.io/v1
        kind: RenderJob
        metadata:
          name: fetched
        spec:
          project: downloads
          scene: cube.blend
          frames: 1-2
        ---
        apiVersion: bcops.io/v1
        kind: RenderJob
        metadata:
          name: left
        spec:
          project: keeps
          scene: cube.blend
          frames: 1-2
        """

    @Test func aRenderJobIsFollowedWithItsProjectsDownloadDirectory() throws {
        let loaded = ManifestLoader().load(sources: [("farm.yaml", Array(Self.farm.utf8))])
        let watches = RenderWatch.all(in: loaded.manifests.map(\.manifest))
        #expect(watches.map(\.name) == ["fetched", "left"])
        #expect(watches.map(\.downloadDirectory) == ["/srv/frames/", nil])
    }

    @Test func everyWatchersKeyIsInTheStatusBeforeItFollowedAnything() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-watchers-\(UUID().uuidString)").path
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:1", accessKeyId: "id", accessKeySecret: "secret"))
        let controller = Controller(configuration: .init(repository: "file:///nowhere.git", branch: "main", path: ".", interval: 60,
                                                         step: .init(journalDirectory: data + "/journals"), dataDirectory: data),
                                    client: client, credentials: nil)
        let status = await controller.status().json
        for watcher in RunWatchers.all() { #expect(status[watcher.statusKey] == .array([])) }
        // Nothing to follow: nothing asked of the engine, and what is served stays.
        #expect(await RenderJobWatcher().follow(client: client) == nil)
        #expect(await WorkflowRunWatcher().follow(client: client) == nil)
    }
}
