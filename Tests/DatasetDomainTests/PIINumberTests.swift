import Testing
@testable import DatasetDomain

@Suite("PII numeric patterns")
struct PIINumberTests {
    typealias K = PIITestKit

    // MARK: RRN / foreigner registration number

    @Test(arguments: [
        ("900101-1234568", true),   // valid date + checksum
        ("900101 1234568", true),   // space separator
        ("850315-2345678", true),
        ("030701-3123455", true),   // 2000s
        ("000229-4123453", false),  // 2000-02-29 valid date (leap), checksum fails → still PII
        ("900101-1234569", false),  // checksum fails, valid date → post-2020 style, PII
        ("200229-4123453", true),   // 2020-02-29 leap day
    ])
    func rrnValidDate(number: String, validated: Bool) {
        let f = K.finding("번호: \(number)")
        #expect(f?.kind == .residentRegistrationNumber)
        #expect(f?.validated == validated)
        #expect(f?.preview.hasPrefix(String(number.prefix(4)) + "**") == true)
    }

    @Test func rrnPlainDigitsNeedDateAndChecksum() {
        #expect(K.kinds("9001011234568") == [.residentRegistrationNumber])
        #expect(K.finding("9001011234568")?.validated == true)
        #expect(K.kinds("9001011234569").isEmpty)            // checksum fails
        #expect(K.kinds("9013011234568").isEmpty)            // month 13
        #expect(K.kinds("주문번호 2023120112345").isEmpty)     // 13 digits, not an RRN
    }

    @Test func rrnInvalidDateNeedsContext() {
        #expect(K.kinds("123456-1234567").isEmpty)
        #expect(K.kinds("코드 901301-1234567").isEmpty)         // month 13, no context
        #expect(K.kinds("주민번호 901301-1234567") == [.residentRegistrationNumber])
        #expect(K.kinds("RRN: 123456-1234567") == [.residentRegistrationNumber])
        #expect(K.kinds("주민등록번호는 123456-1234567입니다") == [.residentRegistrationNumber])
        #expect(K.finding("주민번호 123456-1234567")?.validated == false)
        #expect(K.kinds("190230-1234567").isEmpty)              // Feb 30
        #expect(K.kinds("010229-3123456").isEmpty)              // 2001-02-29 is not a leap day
    }

    @Test func rrnNotEmbeddedInLongerNumbers() {
        #expect(K.kinds("19900101-1234568").isEmpty)
        #expect(K.kinds("900101-12345689").isEmpty)
        #expect(K.kinds("1-900101-1234568").isEmpty)
        #expect(K.kinds("A900101-1234568").isEmpty)
        #expect(K.kinds("900101-1234568-1").isEmpty)
        #expect(K.kinds("900101.1234568").isEmpty)             // dot is not an RRN separator
    }

    @Test func foreignerRegistrationNumber() {
        let f = K.finding("외국인등록번호 900101-5123452")
        #expect(f?.kind == .foreignerRegistrationNumber)
        #expect(f?.validated == true)
        #expect(K.finding("991231-6123455")?.kind == .foreignerRegistrationNumber)
        #expect(K.finding("991231-6123455")?.validated == true)
        #expect(K.finding("991231-6123456")?.validated == false)   // foreigner checksum variant fails
        #expect(K.kinds("9001015123452") == [.foreignerRegistrationNumber])
        #expect(K.kinds("9001015123453").isEmpty)
        #expect(K.kinds("991331-6123455").isEmpty)                 // month 13, no context
        #expect(K.kinds("외국인 번호 991331-6123455") == [.foreignerRegistrationNumber])
        #expect(K.masked("외국인등록번호 900101-5123452") == "외국인등록번호 [외국인등록번호]")
    }

    // MARK: Phone

    @Test(arguments: [
        "010-1234-5678", "010.1234.5678", "010 1234 5678", "01012345678",
        "011-123-4567", "016-1234-5678", "019 123 4567", "0111234567",
        "02-123-4567", "02-1234-5678", "0212345678", "031-123-4567", "033-1234-5678", "042-123-4567",
        "055-123-4567", "064-1234-5678", "070-1234-5678", "080-123-4567", "0505-123-4567",
        "1588-1234", "1644-1234", "1899-1234",
        "+82 10-1234-5678", "+82-10-1234-5678", "+821012345678", "+82 2-123-4567", "+82 (0)10-1234-5678", "+82 010-1234-5678",
    ])
    func phoneValid(number: String) {
        #expect(K.kinds("연락처 \(number) 입니다") == [.phoneNumber])
        #expect(K.masked("연락처 \(number) 입니다") == "연락처 [전화번호] 입니다")
    }

    @Test(arguments: [
        "010-123-4567",      // 010 needs 4+4
        "012-1234-5678",     // no such prefix
        "034-123-4567",      // no such area code
        "045-123-4567",
        "02-12-4567",
        "02-1234-567",
        "0101234567",        // 010 plain needs 11 digits
        "010123456789",      // too long
        "1234-5678",         // not 15xx/16xx/18xx
        "1588 1234",         // service numbers need - or .
        "10-1234-5678",
        "+1-010-1234-5678",
        "2010-1234-5678",    // embedded in a longer run
        "010-1234-56789",
        "010-1234-5678-9",
        "ab010-1234-5678",
        "010-1234-5678@",
    ])
    func phoneInvalid(number: String) {
        #expect(!K.kinds("번호 \(number) 끝").contains(.phoneNumber))
    }

    @Test func phonePreview() {
        #expect(K.finding("02-123-4567")?.preview == "02-***-****")
        #expect(K.finding("01012345678")?.preview == "010********")
        #expect(K.finding("+82 10-1234-5678")?.preview == "+82 10-****-****")
    }

    @Test func phoneInsideText() {
        #expect(K.masked("전화는010-1234-5678로 주세요.") == "전화는[전화번호]로 주세요.")
        #expect(K.masked("(tel:010-1234-5678)") == "(tel:[전화번호])")
        #expect(K.masked("번호 010-1234-5678, 02-987-6543.") == "번호 [전화번호], [전화번호].")
    }

    // MARK: Card

    @Test(arguments: [
        "4111-1111-1111-1111", "4111 1111 1111 1111", "4111111111111111", "5500-0000-0000-0004",
        "3782-822463-10005", "378282246310005", "9410-1234-1234-1237", "3530111333300000",
    ])
    func cardValid(number: String) {
        let f = K.finding("결제 \(number) 완료")
        #expect(f?.kind == .cardNumber)
        #expect(f?.validated == true)
        #expect(K.masked("결제 \(number) 완료") == "결제 [카드번호] 완료")
    }

    @Test func cardInvalid() {
        #expect(K.kinds("번호 4111-1111-1111-1112").isEmpty)      // Luhn fails
        #expect(K.kinds("번호 4111111111111112").isEmpty)
        #expect(K.kinds("번호 1111111111111117").isEmpty)         // Luhn ok but plain, bad leading digit
        #expect(K.kinds("번호 41111111111111111111").isEmpty)     // 20 digits
        #expect(K.kinds("번호 4111-1111-11-111111").isEmpty)      // odd grouping
        #expect(K.kinds("x4111111111111111").isEmpty)
    }

    @Test func cardFailingLuhnWithContext() {
        let f = K.finding("신용카드 4111-1111-1111-1112")
        #expect(f?.kind == .cardNumber)
        #expect(f?.validated == false)
        #expect(K.kinds("카드 4111111111111112").isEmpty)         // plain digits never without Luhn
    }

    // MARK: Business registration number

    @Test func brn() {
        let f = K.finding("사업자 220-81-62517")
        #expect(f?.kind == .businessRegistrationNumber)
        #expect(f?.validated == true)
        #expect(f?.preview == "220-**-*****")
        #expect(K.kinds("번호 220-81-62517") == [.businessRegistrationNumber])   // checksum alone suffices
        #expect(K.kinds("번호 220-81-62518").isEmpty)                            // checksum fails, no context
        let ctx = K.finding("사업자등록번호: 220-81-62518")
        #expect(ctx?.kind == .businessRegistrationNumber)
        #expect(ctx?.validated == false)
        #expect(K.kinds("사업자번호 2208162517") == [.businessRegistrationNumber])
        #expect(K.kinds("번호 2208162517").isEmpty)                              // plain needs context
        #expect(K.kinds("번호 1220-81-62517").isEmpty)
        #expect(K.masked("사업자 220-81-62517") == "사업자 [사업자등록번호]")
    }

    // MARK: Passport

    @Test func passport() {
        #expect(K.kinds("여권 M12345678") == [.passportNumber])
        #expect(K.kinds("passport no. M123A4567") == [.passportNumber])
        #expect(K.kinds("번호는 S12345678 입니다") == [.passportNumber])   // standard shape needs no context
        #expect(K.finding("M12345678")?.preview == "M********")
        #expect(K.kinds("X12345678").isEmpty)                              // unknown type letter, no context
        #expect(K.kinds("M1234567").isEmpty)
        #expect(K.kinds("M123456789").isEmpty)
        #expect(K.kinds("AM12345678").isEmpty)
        #expect(K.kinds("여권번호 JR1234567") == [.passportNumber])         // looser form + context
        #expect(K.kinds("모델 JR1234567").isEmpty)
        #expect(K.kinds("여권번호 12345678") == [.passportNumber])
        #expect(K.kinds("수량 12345678").isEmpty)
        #expect(K.masked("여권 M12345678 발급") == "여권 [여권번호] 발급")
    }

    // MARK: Driver licence

    @Test func driverLicence() {
        #expect(K.kinds("면허 11-22-123456-78") == [.driverLicenseNumber])
        #expect(K.kinds("번호 28-05-654321-01") == [.driverLicenseNumber])
        #expect(K.kinds("번호 29-05-654321-01").isEmpty)    // region code out of range
        #expect(K.kinds("번호 10-05-654321-01").isEmpty)
        #expect(K.masked("운전면허 서울 12-345678-90 확인") == "운전면허 [운전면허번호] 확인")
        #expect(K.kinds("번호 12-345678-90").isEmpty)       // short form needs a region name
        #expect(K.kinds("운전면허번호 112212345678") == [.driverLicenseNumber])
        #expect(K.kinds("번호 112212345678").isEmpty)
        #expect(K.kinds("번호 11-22-123456-789").isEmpty)
    }

    // MARK: Bank account

    @Test func bankAccount() {
        #expect(K.kinds("계좌 110-123-456789") == [.bankAccount])
        #expect(K.kinds("국민은행 123456-01-234567로 입금") == [.bankAccount])
        #expect(K.kinds("카카오뱅크 3333-01-1234567") == [.bankAccount])
        #expect(K.kinds("account 1002-123-456789") == [.bankAccount])
        #expect(K.kinds("계좌번호 12345678901234") == [.bankAccount])
        #expect(K.kinds("번호 110-123-456789").isEmpty)                 // no context word
        #expect(K.kinds("계좌 110-123-4567") == [.bankAccount])          // 3-3-4 = 10 digits
        #expect(K.kinds("계좌 12-3456-78").isEmpty)                     // 8 digits: too short
        #expect(K.kinds("계좌 1234-5678-9012-3456-7").isEmpty)          // 17 digits: too long
        #expect(K.kinds("계좌 1-23456789012").isEmpty)                  // 1-digit group
        #expect(K.finding("계좌 110-123-456789")?.preview == "***-***-******")
        // context must be near: more than 20 characters away does not count
        #expect(K.kinds("계좌 관련 문의는 고객센터로 연락해 주시기 바랍니다 참고 110-123-456789").isEmpty)
    }

    @Test func phoneShapeNearAccountWordStaysPhone() {
        #expect(K.kinds("010-1234-5678로 입금해 주세요") == [.phoneNumber])
    }

    // MARK: IP

    @Test func ipv4() {
        #expect(K.kinds("서버 192.168.0.1 접속") == [.ipAddress])
        #expect(K.kinds("8.8.8.8") == [.ipAddress])
        #expect(K.kinds("255.255.255.255") == [.ipAddress])
        #expect(K.finding("IP는 10.20.30.40입니다")?.preview == "10.**.**.**")
        #expect(K.masked("from 10.0.0.1:8080") == "from [IP]:8080")
        #expect(K.kinds("256.1.1.1").isEmpty)
        #expect(K.kinds("1.2.3").isEmpty)
        #expect(K.kinds("1.2.3.4.5").isEmpty)            // part of a longer dotted number
        #expect(K.kinds("192.168.01.1").isEmpty)         // leading zero
        #expect(K.kinds("v1.2.3.4").isEmpty)
        #expect(K.kinds("1192.168.0.1").isEmpty)
        #expect(K.kinds("3.14").isEmpty)
        #expect(K.kinds("2024.01.15").isEmpty)
    }

    @Test func ipv6() {
        #expect(K.kinds("addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok") == [.ipAddress])
        #expect(K.kinds("addr 2001:db8::8a2e:370:7334") == [.ipAddress])
        #expect(K.kinds("link fe80::1ff:fe23:4567:890a") == [.ipAddress])
        #expect(K.kinds("mapped ::ffff:192.168.0.1") == [.ipAddress])
        #expect(K.masked("[2001:db8::1]:443") == "[[IP]]:443")
        #expect(K.kinds("시간 10:30:00").isEmpty)
        #expect(K.kinds("std::vector<int>").isEmpty)
        #expect(K.kinds("a::b").isEmpty)
        #expect(K.kinds("MAC 00:1A:2B:3C:4D:5E").isEmpty)
        #expect(K.kinds("2001:db8:1:2:3:4:5:6:7").isEmpty)   // 9 groups
        #expect(K.kinds("1::2::3").isEmpty)
        #expect(K.kinds("Note: see below").isEmpty)
    }

    // MARK: E-mail

    @Test func email() {
        #expect(K.kinds("메일 hong.gildong+tag@example.co.kr 로") == [.email])
        #expect(K.masked("문의: support@company.com.") == "문의: [이메일].")
        #expect(K.finding("a.b@mail.example.com")?.preview == "a**@****.*******.com")
        #expect(K.kinds("user@localhost").isEmpty)
        #expect(K.kinds("@mention 님").isEmpty)
        #expect(K.kinds("foo@bar.c").isEmpty)
        #expect(K.kinds("x@1.23").isEmpty)
        #expect(K.spans("연락 01012345678@naver.com") == ["01012345678@naver.com"])
    }
}
