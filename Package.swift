// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "collector",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collector", targets: ["CollectorCLI"]),
        .executable(name: "collector-bench-amq", targets: ["AMQBenchmark"]),
        .executable(name: "collector-bench-core", targets: ["CoreBenchmark"]),
        .executable(name: "collector-bench-database", targets: ["DatabaseBenchmark"]),
        .executable(name: "collector-bench-knime", targets: ["KnimeBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "Collector",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Seal", dependencies: ["Collector", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Sinks_File", dependencies: ["Collector", "Seal", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Sinks_Database",
            dependencies: [
                "Collector",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Sources_File", dependencies: ["Collector"]),
        .target(name: "CollectorTestKit", dependencies: ["Collector"]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .target(name: "Archive", dependencies: ["CArchive"]),
        .target(
            name: "Enrichers_Knime",
            dependencies: [
                "Collector", "Archive", "LibXML",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KnimeStandIn",
            dependencies: [
                "Archive", "LibXML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/knwf")]
        ),
        .systemLibrary(name: "CRDKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .target(name: "RDKafka", dependencies: ["CRDKafka"]),
        .target(name: "Sinks_Kafka", dependencies: ["Collector", "RDKafka", "EventXML"]),
        // qpid-proton: no pkgConfig (Debian's .pc file starts with a C comment SwiftPM cannot parse); the modulemap links it.
        .systemLibrary(name: "CProton", providers: [.apt(["libqpid-proton11-dev"])]),
        .target(name: "Proton", dependencies: ["CProton", .product(name: "DequeModule", package: "swift-collections")]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "LibXML", dependencies: ["CLibXML2"]),
        .target(name: "EventXML", dependencies: ["Collector", "LibXML"]),
        .target(name: "Sinks_AMQ", dependencies: ["Collector", "Proton", "EventXML", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Tail", dependencies: ["Collector", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Sources_Knox", dependencies: ["Collector", "Tail", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Sources_Denodo", dependencies: ["Collector", "Tail", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Enrichers_Mask", dependencies: ["Collector", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Sources_KnimeLog",
            dependencies: ["Collector", "Tail", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .executableTarget(
            name: "CollectorCLI",
            dependencies: [
                "Collector",
                "Sinks_File",
                "Seal",
                "Sinks_Database",
                "Sinks_Kafka",
                "Sources_File",
                "Enrichers_Knime",
                "KnimeStandIn",
                "Sinks_AMQ",
                "Sources_KnimeLog",
                "Sources_Knox",
                "Sources_Denodo",
                "Enrichers_Mask",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "KnimeBenchmark",
            dependencies: ["Collector", "Enrichers_Knime", "KnimeStandIn", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/KnimeBenchmark"
        ),
        .executableTarget(
            name: "CoreBenchmark",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_File", "Seal"],
            path: "Benchmarks/CoreBenchmark"
        ),
        .executableTarget(
            name: "AMQBenchmark",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_AMQ", "EventXML", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/AMQBenchmark"
        ),
        .testTarget(
            name: "Sources_KnimeLogTests",
            dependencies: ["Sources_KnimeLog", "Tail", "Collector", "CollectorTestKit", "Sinks_File", "CollectorCLI"]
        ),
        .testTarget(name: "TailTests", dependencies: ["Tail", "Collector", "CollectorTestKit"]),
        .testTarget(name: "Sources_KnoxTests", dependencies: ["Sources_Knox", "Tail", "Collector", "CollectorTestKit"]),
        .testTarget(name: "Sources_DenodoTests", dependencies: ["Sources_Denodo", "Enrichers_Mask", "Tail", "Collector", "CollectorTestKit"]),
        .testTarget(name: "Enrichers_MaskTests", dependencies: ["Enrichers_Mask", "Collector", "CollectorTestKit"]),
        .testTarget(
            name: "Enrichers_KnimeTests",
            dependencies: ["Enrichers_Knime", "KnimeStandIn", "Archive", "LibXML", "Collector", "CollectorTestKit", "Sinks_File", "Sources_KnimeLog", "Sinks_AMQ",
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_File", "Sources_File"],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "RDKafkaTests", dependencies: ["RDKafka"]),
        .testTarget(name: "Sinks_KafkaTests", dependencies: ["Sinks_Kafka", "EventXML", "RDKafka", "Collector", "CollectorTestKit"]),
        .testTarget(name: "Sinks_AMQTests", dependencies: ["Sinks_AMQ", "EventXML", "Proton", "LibXML", "Collector", "CollectorTestKit", "KnimeStandIn",
                                                    .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "Sinks_DatabaseTests", dependencies: ["Sinks_Database", "Collector", "CollectorTestKit",
                                                         .product(name: "GRDB", package: "GRDB.swift"),
                                                         .product(name: "PostgresNIO", package: "postgres-nio"),
                                                         .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "DatabaseBenchmark",
            dependencies: ["Collector", "CollectorTestKit", "Sinks_Database", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/DatabaseBenchmark"
        ),
        .testTarget(name: "CollectorCLITests", dependencies: ["CollectorCLI", "CollectorTestKit", "Collector"]),
        .testTarget(name: "SealTests", dependencies: ["Seal", "Sinks_File", "Collector", "CollectorTestKit", "CollectorCLI",
                                                     .product(name: "Logging", package: "swift-log")]),
    ]
)
