import Bus
import Foundation

/// `bus keygen DIR NAME…`: a CURVE pair per name that has none yet (see
/// `BusKeyFolder`); prints the names it made, never a key.
enum Keygen {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: bus keygen DIR NAME…  (e.g. bus keygen .data/secrets/bus bus gateway registry)\n".utf8))
            return 2
        }
        do {
            let made = try BusKeyFolder(arguments[0]).generate(names: Array(arguments.dropFirst()))
            for name in made { print("made \(name).key and \(name).pub") }
            return 0
        } catch {
            FileHandle.standardError.write(Data("bus keygen: \(error.description)\n".utf8))
            return 1
        }
    }
}
