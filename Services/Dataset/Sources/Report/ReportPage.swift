import Contracts
import Foundation
import JSON

/// The quality report of one version: a self-contained HTML page (no
/// scripts, no external files) with inline SVG charts, built from the stored
/// statistics and the latest run of each check.
struct ReportPage {
    let dataset: Mlops_V1_Dataset_Dataset
    let version: Mlops_V1_Dataset_DatasetVersion
    let statsJSON: String
    let checks: [Mlops_V1_Dataset_QualityCheck]

    func render() -> String {
        let stats = (try? JSONValue.parse(statsJSON))?.objectValue ?? [:]
        var html = """
            <!DOCTYPE html>
            <html lang="ko"><head><meta charset="utf-8">
            <title>\(escape(dataset.name)) \(escape(version.version)) — quality report</title>
            <style>
            body{font-family:system-ui,-apple-system,"Noto Sans KR",sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem}
            h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
            table{border-collapse:collapse;margin:.5rem 0} td,th{padding:.3rem .8rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
            .pass{color:#0b7a3e;font-weight:600} .fail{color:#b42318;font-weight:600} .muted{color:#616e7c}
            .charts{display:flex;flex-wrap:wrap;gap:1.5rem} figure{margin:0} figcaption{font-weight:600;margin-bottom:.3rem}
            </style></head><body>
            <h1>\(escape(dataset.name)) <span class="muted">\(escape(version.version))</span></h1>
            <p class="muted">\(version.totalSamples) samples · \(version.sizeBytes) bytes · sha256 \(escape(version.sha256)) · \(escape(version.transformation))\(version.validated ? " · validated" : " · not validated yet")</p>

            """
        html += "<h2>Checks</h2>\n"
        if checks.isEmpty {
            html += "<p class=\"muted\">No validation has run on this version.</p>\n"
        } else {
            html += "<table id=\"checks\"><tr><th>check</th><th>result</th><th>issues</th><th>summary</th></tr>\n"
            for check in checks.sorted(by: { $0.checkType < $1.checkType }) {
                let result = try? JSONValue.parse(check.issuesJson)
                let count = result?["issue_count"]?.intValue ?? 0
                let summary = result?["summary"]?.objectValue.map(flatSummary) ?? ""
                html += "<tr><td>\(escape(check.checkType))</td><td class=\"\(check.passed ? "pass" : "fail")\">\(check.passed ? "passed" : "failed")</td><td>\(count)</td><td>\(summary)</td></tr>\n"
            }
            html += "</table>\n"
        }

        html += "<h2>Overview</h2>\n<table id=\"overview\">"
        for (key, value) in stats.sorted(by: { $0.key < $1.key }) where isScalar(value) {
            html += "<tr><th>\(escape(key))</th><td>\(escape(format(value)))</td></tr>"
        }
        html += "</table>\n<h2>Distributions</h2>\n<div class=\"charts\">\n"
        for (path, series) in chartSeries(stats, prefix: "") {
            html += "<figure><figcaption>\(escape(path))</figcaption>\(BarChart.svg(series))</figure>\n"
        }
        html += "</div>\n</body></html>\n"
        return html
    }

    /// Every chartable series in the statistics: objects of label → number,
    /// and histograms (objects with a counts array and bin edges or labels).
    private func chartSeries(_ object: [String: JSONValue], prefix: String) -> [(String, [(String, Double)])] {
        var out: [(String, [(String, Double)])] = []
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            guard let child = value.objectValue else { continue }
            if let counts = child["counts"]?.arrayValue {
                let numbers = counts.compactMap(\.numberValue)
                var labels: [String] = []
                if let edges = (child["edges"] ?? child["bin_edges"] ?? child["bounds"])?.arrayValue {
                    let e = edges.compactMap(\.numberValue)
                    labels = numbers.indices.map { i in i + 1 < e.count ? "\(short(e[i]))–\(short(e[i + 1]))" : "\(i)" }
                } else if let names = child["labels"]?.arrayValue, names.allSatisfy({ $0.stringValue != nil }) {
                    labels = names.compactMap(\.stringValue)
                } else {
                    labels = numbers.indices.map { "\($0)" }
                }
                if !numbers.isEmpty { out.append((path, Array(zip(labels, numbers)))) }
            } else if !child.isEmpty, child.values.allSatisfy({ $0.numberValue != nil }) {
                let series = child.map { ($0.key, $0.value.numberValue!) }.sorted { $0.1 > $1.1 }
                out.append((path, Array(series.prefix(30))))
            } else {
                out += chartSeries(child, prefix: path)
            }
        }
        return out
    }

    private func flatSummary(_ summary: [String: JSONValue]) -> String {
        summary.sorted(by: { $0.key < $1.key }).compactMap { key, value in
            if isScalar(value) { return "\(escape(key)): \(escape(format(value)))" }
            if let dictionary = value.objectValue, dictionary.values.allSatisfy(isScalar), dictionary.count <= 12 {
                return "\(escape(key)): " + dictionary.sorted(by: { $0.key < $1.key }).map { "\(escape($0.key)) \(escape(format($0.value)))" }.joined(separator: ", ")
            }
            return nil
        }.joined(separator: "<br>")
    }
}

private func isScalar(_ value: JSONValue) -> Bool {
    switch value {
    case .string, .int, .double, .bool: true
    case .null, .array, .object: false
    }
}

private func format(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): text
    case .bool(let flag): flag ? "true" : "false"
    case .int(let number): String(number)
    case .double(let number): format(number)
    case .null, .array, .object: value.serialized
    }
}

/// Whole numbers without a fraction, others to four significant digits.
private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
}

private func short(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e9 ? String(Int64(value)) : String(format: "%.2g", value)
}

func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

/// A horizontal bar chart as inline SVG.
enum BarChart {
    static func svg(_ series: [(String, Double)]) -> String {
        let rowHeight = 18.0, labelWidth = 150.0, barWidth = 300.0
        let height = Double(series.count) * rowHeight + 10
        let maximum = max(series.map(\.1).max() ?? 1, 1e-12)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + 80))\" height=\"\(Int(height))\" role=\"img\">"
        for (index, (label, value)) in series.enumerated() {
            let y = Double(index) * rowHeight + 4
            let width = max(1, value / maximum * barWidth)
            let shown = label.count > 22 ? String(label.prefix(21)) + "…" : label
            svg += "<text x=\"\(Int(labelWidth - 6))\" y=\"\(y + 12)\" font-size=\"11\" text-anchor=\"end\">\(escape(shown))</text>"
            svg += "<rect x=\"\(Int(labelWidth))\" y=\"\(y)\" width=\"\(String(format: "%.1f", width))\" height=\"\(rowHeight - 4)\" fill=\"#3e7cb1\"><title>\(escape(label)): \(format(value))</title></rect>"
            svg += "<text x=\"\(Int(labelWidth + width + 4))\" y=\"\(y + 12)\" font-size=\"11\">\(format(value))</text>"
        }
        return svg + "</svg>"
    }
}
