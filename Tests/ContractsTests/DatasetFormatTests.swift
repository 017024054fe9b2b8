import Contracts
import Testing

@Suite struct DatasetFormatTests {
    /// Every format's own extension in any letter case, in a path with dots;
    /// the look-alikes that name none.
    @Test func fromFileNames() {
        for format in DatasetFormat.allCases {
            for name in ["data.\(format.rawValue)", "DIR.v2/Train.\(format.rawValue.uppercased())", "a.b.\(format.rawValue)"] {
                #expect(DatasetFormat(fileName: name) == format, "\(name)")
            }
        }
        #expect(DatasetFormat(fileName: "chat.ndjson") == .jsonl)
        for name in ["data", "data.txt", "jsonl", "data.jsonl.gz", "data.json5", "data.csvx", "data.", ".parquet.bak"] {
            #expect(DatasetFormat(fileName: name) == nil, "\(name)")
        }
    }
}
