import Foundation

/// Writes a synthetic but realistic manifest repository: every kind, cross references that
/// resolve, comments and quoting as people write them.
enum ManifestCorpus {
    static func manifest(_ i: Int) -> String {
        switch i % 6 {
        case 0:
            return """
            # Render nodes for team \(i % 17)
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: cluster-\(i)
              labels: {team: render-\(i % 17), tier: batch}
            spec:
              description: "Render cluster \(i)"
              imageId: img-ubuntu
              runtime: host
              groups:
                default:
                  instanceType: ecs.sn1.medium
                  desiredCount: \(i % 5)
                spot:
                  instanceType: ecs.sn2.medium
                  desiredCount: 0
                  resourceType: Spot
                  spotStrategy: SpotWithPriceLimit
                  spotPriceLimit: 0.35
              mounts:
                entries:
                  - source: oss://bucket-\(i % 13)/scenes/
                    destination: /mnt/scenes/
                    writeSupport: false
                locale: UTF-8
              vpc: {vpcId: vpc-abc\(i), cidrBlock: 192.168.\(i % 250).0/24, vpcCidrBlock: 192.168.0.0/16}
              env:
                RENDER_THREADS: "4"
                OSS_KEY: {secretFrom: {env: OSS_KEY}}

            """
        case 1:
            return """
            apiVersion: bcops.io/v1
            kind: RenderProject
            metadata: {name: project-\(i)}
            spec:
              image: img-blender
              software:
                name: blender
                sceneSuffix: .blend
              ossMappings:
                - {source: "oss://bucket-\(i % 13)/scenes/", destination: /mnt/scenes/}
              ossOutput: oss://bucket-\(i % 13)/output/
              localOutputDir: /render/output/
              defaults:
                cluster: cluster-\(i - 1)
                nodes: 3
                retries: 1
                priority: \(i % 1000)

            """
        case 2:
            return """
            apiVersion: bcops.io/v1
            kind: RenderJob
            metadata:
              name: shot-\(i)
            spec:
              project: project-\(i - 1)
              scene: shots/s\(i)/cube.blend
              frames: "1-\(i % 240 + 10)"
              nodes: \(i % 7 + 1)
              cluster: cluster-\(i - 2)
              rerun: "\(i % 3)"

            """
        case 3:
            return """
            apiVersion: bcops.io/v1
            kind: App
            metadata:
              name: app-\(i)
            spec:
              description: Demo app \(i)
              image:
                docker: {image: "localhost:5000/demo:0.\(i % 9)", registryOSSPath: "oss://demo-bucket/dockers/"}
              commandLine: python run.py --in ${input} --out ${output}
              inputs:
                input: {type: String, localPath: /home/input/, description: input folder}
              outputs:
                output: {type: String, localPath: /home/output/}
              config:
                instanceType: ecs.sn1ne.2xlarge
                instanceCount: 2
                timeout: 86400

            """
        case 4:
            return """
            apiVersion: bcops.io/v1
            kind: Job
            metadata: {name: job-\(i)}
            spec:
              priority: 10
              tasks:
                split: {command: python split.py, cluster: cluster-\(i - 4), stdoutRedirectPath: "oss://b/logs/"}
                count: {command: python count.py, cluster: cluster-\(i - 4), instanceCount: 3, maxRetryCount: 1}
                merge:
                  command: python merge.py
                  autoCluster: {instanceType: ecs.sn1.medium, imageId: img-ubuntu}
              dependencies:
                split: [count]
                count: [merge]

            """
        default:
            return """
            apiVersion: bcops.io/v1
            kind: WorkflowRun
            metadata: {name: wdl-\(i)}
            spec:
              workflow: hello.wdl
              inputs: {"hello.name": "sample-\(i)", "hello.count": \(i % 10)}
              runtime:
                cluster: OnDemand ecs.sn1.medium img-ubuntu-vpc
                timeout: 172800
                mounts: ["oss://bucket/ref/ /ref/ false"]
              outputsDir: oss://bucket/out/\(i)/

            """
        }
    }

    /// Writes `count` manifests, `perFile` to a file, under `dir`; returns the total bytes.
    static func write(count: Int, perFile: Int, to dir: String) throws -> Int {
        let fm = FileManager.default
        try? fm.removeItem(atPath: dir)
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "version 1.0\nworkflow hello { input { String name } }\n".write(toFile: dir + "/hello.wdl", atomically: true, encoding: .utf8)
        var total = 0
        var file = 0
        var i = 0
        while i < count {
            var text = ""
            for j in 0..<perFile where i + j < count {
                if j > 0 { text += "---\n" }
                text += manifest(i + j)
            }
            i += perFile
            total += text.utf8.count
            try text.write(toFile: "\(dir)/m\(String(format: "%05d", file)).yaml", atomically: false, encoding: .utf8)
            file += 1
        }
        return total
    }
}
