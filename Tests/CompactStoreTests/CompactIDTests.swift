import CompactStore
import Testing
import UUIDText

@Suite("ids: lowercase UUIDs in 16 bytes, anything else kept as read")
struct CompactIDTests {
  static let id = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"

  @Test(
    "every id spells back exactly as read, from text and from bytes",
    arguments: [
      id, id.uppercased(), "0b1c2d3e4f50-4617-8899-aabbccdd-eeff", "ffffffff-ffff-ffff-ffff-ffffffffffff", "42", "",
      "0b1c2d3e-4f50-4617-8899-aabbccddeef",
    ])
  func spelling(_ text: String) {
    var overflow = CompactID.Overflow()
    let fromText = CompactID(text, overflow: &overflow)
    let fromBytes = Array(text.utf8).withUnsafeBytes { CompactID($0, overflow: &overflow) }
    #expect(fromText.string(overflow) == (text.isEmpty ? nil : text))
    #expect(fromBytes.string(overflow) == (text.isEmpty ? nil : text))
    // Only the lowercase spelling is compact; the rest (and the marker's own UUID) overflow.
    #expect((fromText.high == CompactID.overflowMarker) == (text != Self.id && !text.isEmpty))
  }

  @Test("UUIDText reads either case with dashes in place, and spells lowercase")
  func codec() {
    func parse(_ text: String) -> (UInt64, UInt64)? {
      Array(text.utf8).withUnsafeBytes { UUIDText.parse($0) }.map { ($0.high, $0.low) }
    }
    #expect(parse(Self.id).map { $0 == (0x0b1c_2d3e_4f50_4617, 0x8899_aabb_ccdd_eeff) } == true)
    #expect(parse(Self.id.uppercased()).map { $0 == (0x0b1c_2d3e_4f50_4617, 0x8899_aabb_ccdd_eeff) } == true)
    #expect(parse("0b1c2d3e4f50-4617-8899-aabbccdd-eeff") == nil)
    #expect(parse(Self.id + "0") == nil)
    #expect(UUIDText.string(high: 0x0b1c_2d3e_4f50_4617, low: 0x8899_aabb_ccdd_eeff) == Self.id)
    // Any two halves are spelled as 36 lowercase bytes that read back as the same halves.
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<10_000 {
      let (high, low) = (
        UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator)
      )
      let text = UUIDText.string(high: high, low: low)
      #expect(text == text.lowercased() && text.utf8.count == 36)
      #expect(parse(text).map { $0 == (high, low) } == true, "\(text)")
    }
  }

  /// The plain reading of a lowercase 8-4-4-4-12 UUID, a digit at a time: what the word-at-a-
  /// time parser must agree with.
  static func referenceParse(_ text: [UInt8]) -> (UInt64, UInt64)? {
    var digits: [UInt64] = []
    for (position, byte) in text.prefix(36).enumerated() {
      if [8, 13, 18, 23].contains(position) {
        guard byte == UInt8(ascii: "-") else { return nil }
        continue
      }
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(UInt64(byte - UInt8(ascii: "0")))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(UInt64(byte - UInt8(ascii: "a") + 10))
      default: return nil
      }
    }
    let high = digits[0..<16].reduce(0) { $0 << 4 | $1 }
    let low = digits[16..<32].reduce(0) { $0 << 4 | $1 }
    return high == CompactID.overflowMarker ? nil : (high, low)
  }

  @Test("UUIDs parsed eight digits at a time agree with a digit at a time: each byte at each position, random text")
  func wordAtATime() {
    func parsed(_ text: [UInt8]) -> (UInt64, UInt64)? {
      text.withUnsafeBytes { CompactID.parseLowercase($0) }.map { ($0.high, $0.low) }
    }
    let valid = Array("\(Self.id)_preview.jpeg".utf8)
    #expect(parsed(valid).map { $0.0 == 0x0b1c_2d3e_4f50_4617 && $0.1 == 0x8899_aabb_ccdd_eeff } == true)
    #expect(parsed(Array("ffffffff-ffff-ffff-ffff-ffffffffffff".utf8)) == nil)  // the overflow marker
    #expect(parsed(Array(Self.id.dropLast().utf8)) == nil)
    var rejected = 0
    for position in 0..<36 {
      for byte in 0...255 {
        var text = valid
        text[position] = UInt8(byte)
        let expected = Self.referenceParse(text)
        let got = parsed(text)
        #expect(got?.0 == expected?.0 && got?.1 == expected?.1, "byte \(byte) at \(position)")
        if got == nil { rejected += 1 }
      }
    }
    // Each position takes 16 digits (a dash's only "-") and rejects every other byte.
    #expect(rejected == 32 * (256 - 16) + 4 * 255)
    // Random text from an alphabet around the digits' edges ("/" and ":" beside "0"-"9", "`" and "g" beside
    // "a"-"f"), dashes mostly in place.
    let alphabet = Array("0123456789abcdefABCDEF/:`gG-\u{7F}".utf8) + [0x80, 0xB0, 0xE6, 0xFF]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    var agreedValid = 0
    for _ in 0..<50_000 {
      // Mostly digits, so that many texts are valid UUIDs and the rest miss by a byte or two.
      var text = (0..<36).map { _ in alphabet[next() % (next() % 64 == 0 ? alphabet.count : 16)] }
      for dash in [8, 13, 18, 23] where next() % 8 != 0 { text[dash] = UInt8(ascii: "-") }
      let expected = Self.referenceParse(text)
      let got = parsed(text)
      #expect(got?.0 == expected?.0 && got?.1 == expected?.1, "\(text)")
      if expected != nil { agreedValid += 1 }
    }
    // The random cases include valid UUIDs, not only rejections.
    #expect(agreedValid > 5000)
  }
}
