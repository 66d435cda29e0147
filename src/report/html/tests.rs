use super::*;

fn check_inlined(svg: &str, expected: &str) {
    assert_eq!(inline_svg(svg.as_bytes(), "c1-").as_deref(), Some(expected));
}

fn check_refused(svg: &str) {
    assert_eq!(inline_svg(svg.as_bytes(), "c1-"), None, "{svg}");
}

#[test]
fn plain_chart_markup_is_inlined_with_the_root_hidden_from_screen_readers() {
    check_inlined(
        "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#FFFFFF\"/>\n<text x=\"1\" y=\"2\">\nCleveland\n</text>\n</svg>\n",
        "<svg aria-hidden=\"true\" focusable=\"false\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#FFFFFF\"/>\n<text x=\"1\" y=\"2\">\nCleveland\n</text>\n</svg>",
    );
}

#[test]
fn an_xml_declaration_is_dropped() {
    check_inlined(
        "<?xml version=\"1.0\"?>\n<svg><g></g></svg>",
        "<svg aria-hidden=\"true\" focusable=\"false\"><g></g></svg>",
    );
}

#[test]
fn escaped_force_names_in_text_stay_text() {
    // What plotters writes for a force named <script>alert(1)</script>.
    check_inlined(
        "<svg><text>&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>",
        "<svg aria-hidden=\"true\" focusable=\"false\"><text>&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>",
    );
}

#[test]
fn ids_and_references_get_the_prefix() {
    check_inlined(
        "<svg><defs><clipPath id=\"a\"><rect/></clipPath></defs><g clip-path=\"url(#a)\"></g></svg>",
        "<svg aria-hidden=\"true\" focusable=\"false\"><defs><clipPath id=\"c1-a\"><rect/></clipPath></defs><g clip-path=\"url(#c1-a)\"></g></svg>",
    );
}

#[test]
fn anything_that_could_run_or_load_is_refused() {
    // Unescaped markup from a force name.
    check_refused("<svg><text><script>alert(1)</script></text></svg>");
    check_refused("<svg><text>\"><img src=x onerror=alert(1)></text></svg>");
    // Elements outside the allowlist.
    check_refused("<svg><script>alert(1)</script></svg>");
    check_refused("<svg><foreignObject><div/></foreignObject></svg>");
    check_refused("<svg><image href=\"https://example.org/x.png\"/></svg>");
    check_refused("<svg><style>@import url(x)</style></svg>");
    check_refused("<svg><a><text>x</text></a></svg>");
    check_refused("<svg><use href=\"#a\"/></svg>");
    // Attributes that run or load.
    check_refused("<svg onload=\"alert(1)\"></svg>");
    check_refused("<svg><rect ONCLICK=\"alert(1)\"/></svg>");
    check_refused("<svg><rect style=\"fill:red\"/></svg>");
    check_refused("<svg><rect fill=\"url(https://example.org/p)\"/></svg>");
    check_refused("<svg><rect fill=\"javascript:alert(1)\"/></svg>");
    check_refused("<svg><rect fill=\"&#106;avascript:alert(1)\"/></svg>");
    // Structure the allowlist does not know.
    check_refused("<!-- c --><svg></svg>");
    check_refused("<svg><!-- c --></svg>");
    check_refused("<!DOCTYPE svg><svg></svg>");
    check_refused("<svg><![CDATA[x]]></svg>");
    check_refused("<svg></svg><svg></svg>");
    check_refused("<svg></svg><script>alert(1)</script>");
    check_refused("text<svg></svg>");
    check_refused("<g></g>");
    check_refused("<svg><g></svg>");
    check_refused("<svg></g></svg>");
    check_refused("<svg><rect x=1/></svg>");
    check_refused("<svg><rect x=\"1\"y=\"2\"/></svg>");
    check_refused("<svg><text>a > b</text></svg>");
    check_refused("<svg");
    check_refused("\u{ff}\u{fe}");
    assert_eq!(inline_svg(&[0xff, 0xfe, 0x00], "p"), None);
}

#[test]
fn base64_matches_rfc_4648_test_vectors() {
    // RFC 4648 §10.
    for (input, expected) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
    }
    assert_eq!(
        data_uri("image/png", &[0, 255, 128]),
        "data:image/png;base64,AP+A"
    );
}

#[test]
fn chart_sizes_are_read_from_the_svg_root_and_the_png_header() {
    assert_eq!(
        svg_size(
            br#"<svg width="960" height="1240" viewBox="0 0 960 1240" xmlns="x"><rect/></svg>"#
        ),
        Some((960.0, 1240.0))
    );
    assert_eq!(svg_size(br#"<svg viewBox="0 0 1 1"></svg>"#), None);
    assert_eq!(svg_size(b"not svg"), None);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(1600u32.to_be_bytes());
    png.extend(900u32.to_be_bytes());
    assert_eq!(png_size(&png), Some((1600.0, 900.0)));
    assert_eq!(png_size(&png[..20]), None);
    assert_eq!(png_size(b"GIF89a"), None);
}

#[test]
fn an_svg_size_is_read_when_its_first_512_bytes_end_inside_a_character() {
    let mut svg = br#"<svg width="960" height="1240"><text>"#.to_vec();
    svg.resize(511, b'x');
    svg.extend("·".as_bytes());
    assert_eq!(svg_size(&svg), Some((960.0, 1240.0)));
}
