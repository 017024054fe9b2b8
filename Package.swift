// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "mlops",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bus", targets: ["BusMain"]),
        .executable(name: "gateway", targets: ["GatewayMain"]),
        .executable(name: "registry", targets: ["RegistryMain"]),
        .executable(name: "dataset", targets: ["DatasetMain"]),
        .executable(name: "trainer", targets: ["TrainerMain"]),
        .executable(name: "mlopsctl", targets: ["MLOpsCtl"]),
        .executable(name: "bus-probe", targets: ["BusProbe"]),
        .executable(name: "dataset-bench", targets: ["DatasetBench"]),
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // Already resolved through Hummingbird; named for the gateway's parser-error handler.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            // No pkgConfig: libzmq's .pc adds -isystem flags SwiftPM warns about; the
            // header is in /usr/include and the module map links zmq.
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(
            name: "Contracts",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Shared/Contracts",
            swiftSettings: strict
        ),
        // The one JSON module: strict parser, value, writer, field reader. No
        // packages, so pure domain targets can use it.
        .target(
            name: "JSON",
            path: "Shared/JSON",
            swiftSettings: strict
        ),
        .target(
            name: "Bus",
            dependencies: [
                "CZeroMQ", "Contracts",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Bus",
            swiftSettings: strict
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Bus", "Contracts", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/ServiceKit",
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "BusMain",
            dependencies: ["Bus", "ServiceKit"],
            path: "Services/Bus/Main",
            swiftSettings: strict
        ),
        // Pure rules of the registry (fields, stages, listing): no I/O, no bus.
        .target(
            name: "RegistryDomain",
            dependencies: ["JSON"],
            path: "Services/Registry/Domain",
            swiftSettings: strict
        ),
        .target(
            name: "RegistryService",
            dependencies: [
                "RegistryDomain", "ServiceKit", "Bus", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/Registry",
            exclude: ["Main", "Domain"],
            sources: ["Sources"],
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "RegistryMain",
            dependencies: ["RegistryService", "ServiceKit"],
            path: "Services/Registry/Main",
            swiftSettings: strict
        ),
        // Pure domain logic of the dataset service (PII, MinHash, quality,
        // parsers, split, statistics): no I/O and no packages, so it builds and
        // tests on its own in seconds.
        .target(
            name: "DatasetDomain",
            dependencies: ["CMinHash"],
            path: "Services/Dataset/Domain",
            swiftSettings: strict
        ),
        // MinHash's inner loop in C, multiversioned for AVX-512/AVX2/baseline.
        .target(
            name: "CMinHash",
            path: "Services/Dataset/CMinHash",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(
            name: "DatasetService",
            dependencies: [
                "DatasetDomain", "JSON", "ServiceKit", "Bus", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Dataset",
            exclude: ["Main", "Domain", "CMinHash"],
            sources: ["Sources"],
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "DatasetMain",
            dependencies: ["DatasetService", "ServiceKit"],
            path: "Services/Dataset/Main",
            swiftSettings: strict
        ),
        // Pure domain logic of the trainer: job specs, the job state machine,
        // the lease scheduler, runner events, Axolotl export.
        .target(
            name: "TrainerDomain",
            dependencies: ["JSON"],
            path: "Services/Trainer/Domain",
            swiftSettings: strict
        ),
        .target(
            name: "TrainerService",
            dependencies: [
                "TrainerDomain", "JSON", "ServiceKit", "Bus", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Trainer",
            exclude: ["Main", "Domain"],
            sources: ["Sources"],
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "TrainerMain",
            dependencies: ["TrainerService", "ServiceKit"],
            path: "Services/Trainer/Main",
            swiftSettings: strict
        ),
        .target(
            name: "GatewayApp",
            dependencies: [
                "ServiceKit", "Bus", "Contracts", "JSON", "TrainerDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "gateway",
            exclude: ["Main", "API.md"],
            sources: ["Sources"],
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "GatewayMain",
            dependencies: ["GatewayApp", "ServiceKit"],
            path: "gateway/Main",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MLOpsCtl",
            dependencies: [
                "Contracts", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tools/mlopsctl",
            swiftSettings: strict
        ),
        // A small real service used by the integration tests and the bus benchmark.
        .executableTarget(
            name: "BusProbe",
            dependencies: [
                "Bus", "ServiceKit", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support/Probe",
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        // The Swift side of the MinHash comparison in `scripts/bench dataset`.
        .executableTarget(
            name: "DatasetBench",
            dependencies: ["DatasetDomain"],
            path: "Tests/Support/DatasetBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "BusTests",
            dependencies: ["Bus", "Contracts", "TestKit"],
            path: "Tests/BusTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: ["ServiceKit", "Bus"],
            path: "Tests/ServiceKitTests",
            swiftSettings: strict
        ),
        // Shared helpers of the test targets: throwaway databases, free ports, child processes.
        .target(
            name: "TestKit",
            dependencies: [
                "ServiceKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support/TestKit",
            swiftSettings: strict
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "TestKit",
                "RegistryService", "RegistryDomain", "Bus", "Contracts", "ServiceKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/RegistryTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "RegistryDomainTests",
            dependencies: ["RegistryDomain"],
            path: "Tests/RegistryDomainTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "DatasetDomainTests",
            dependencies: ["DatasetDomain"],
            path: "Tests/DatasetDomainTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ContractsTests",
            dependencies: ["Contracts"],
            path: "Tests/ContractsTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON"],
            path: "Tests/JSONTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrainerDomainTests",
            // DatasetDomain for its SplitMix64, the seeded generator of the property tests.
            dependencies: ["TrainerDomain", "JSON", "DatasetDomain"],
            path: "Tests/TrainerDomainTests",
            swiftSettings: strict
        ),
        // The trainer against real processes: bus, dataset, trainer instances
        // and gateway as executables, the real runner on a tiny model, a real MLflow.
        .testTarget(
            name: "TrainerTests",
            dependencies: [
                "TestKit",
                "TrainerService", "TrainerDomain", "ServiceKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TrainerTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "DatasetTests",
            dependencies: [
                "TestKit",
                "DatasetService", "DatasetDomain", "JSON", "Bus", "Contracts", "ServiceKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/DatasetTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "TestKit",
                "GatewayApp", "Bus", "Contracts", "ServiceKit", "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/GatewayTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestKit",
                "Bus", "ServiceKit", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/IntegrationTests",
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
