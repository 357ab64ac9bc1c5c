// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "collector",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collector", targets: ["CollectorCLI"]),
        .executable(name: "collector-bench-amq", targets: ["AMQBenchmark"]),
        .executable(name: "collector-bench-core", targets: ["CoreBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "Collector",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "Sinks_File", dependencies: ["Collector"]),
        .target(name: "Sources_File", dependencies: ["Collector"]),
        .target(name: "CollectorTestKit", dependencies: ["Collector"]),
        .systemLibrary(name: "CRDKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .target(name: "RDKafka", dependencies: ["CRDKafka"]),
        .target(name: "Sinks_Kafka", dependencies: ["Collector", "RDKafka", "EventXML"]),
        // AMQP 1.0 (qpid-proton) and libxml2: the amq sink.
        .systemLibrary(name: "CProton"),
        .target(name: "Proton", dependencies: ["CProton", .product(name: "DequeModule", package: "swift-collections")]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "LibXML", dependencies: ["CLibXML2"]),
        .target(name: "EventXML", dependencies: ["Collector", "LibXML"]),
        .target(name: "Sinks_AMQ", dependencies: ["Collector", "Proton", "EventXML", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Sources_KnimeLog",
            dependencies: ["Collector", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .executableTarget(
            name: "CollectorCLI",
            dependencies: [
                "Collector",
                "Sinks_File",
                "Sinks_Kafka",
                "Sources_File",
                "Sinks_AMQ",
                "Sources_KnimeLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "CoreBenchmark",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_File"],
            path: "Benchmarks/CoreBenchmark"
        ),
        .executableTarget(
            name: "AMQBenchmark",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_AMQ", "EventXML", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/AMQBenchmark"
        ),
        .testTarget(
            name: "Sources_KnimeLogTests",
            dependencies: ["Sources_KnimeLog", "Collector", "CollectorTestKit", "Sinks_File", "CollectorCLI"]
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_File", "Sources_File"],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "RDKafkaTests", dependencies: ["RDKafka"]),
        .testTarget(name: "Sinks_KafkaTests", dependencies: ["Sinks_Kafka", "EventXML", "RDKafka", "Collector", "CollectorTestKit"]),
        .testTarget(name: "Sinks_AMQTests", dependencies: ["Sinks_AMQ", "EventXML", "Proton", "LibXML", "Collector", "CollectorTestKit",
                                                    .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CollectorCLITests", dependencies: ["CollectorCLI", "CollectorTestKit", "Collector"]),
    ]
)
