import { describe, expect, it } from "vitest";
import { addressBucket } from "./address-bucket";

describe("addressBucket", () => {
  it("keeps an IPv4 address, mapped or not", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });
  it("puts every address of an IPv6 /64 in one bucket, however it is written", () => {
    const same = ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:0:0:0:9", "2001:DB8:1:2::a:b", "2001:db8:1:2::1.2.3.4", "2001:db8:1:2::1%eth0"];
    expect(new Set(same.map(addressBucket))).toEqual(new Set(["2001:db8:1:2::/64"]));
    expect(addressBucket("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("fe80::1")).toBe("fe80:0:0:0::/64");
  });
  it("keeps anything else as it is, bounded", () => {
    expect(addressBucket(null)).toBe("");
    expect(addressBucket("x".repeat(300))).toHaveLength(100);
  });
});
