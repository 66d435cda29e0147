use super::*;

fn check(input: &str, expected: &str) {
    assert_eq!(escape(input), expected);
}

#[test]
fn plain_names_are_unchanged() {
    check("London, City of", "London, City of");
    check("Dyfed-Powys", "Dyfed-Powys");
    check("27.3% (17,649 of 64,680)", "27.3% (17,649 of 64,680)");
}

#[test]
fn html_becomes_entities() {
    check(
        "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    );
    check(
        "\"><img src=x onerror=alert(1)>",
        "\"&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    check("A & B", "A &amp; B");
}

#[test]
fn markdown_punctuation_is_escaped() {
    check("region_north_east", "region\\_north\\_east");
    check("a|b", "a\\|b");
    check("[x](http://e)", "\\[x\\](http://e)");
    check("**bold** `code`", "\\*\\*bold\\*\\* \\`code\\`");
    check("# heading", "\\# heading");
    check("![i](x)", "\\!\\[i\\](x)");
    check("back\\slash", "back\\\\slash");
}

#[test]
fn line_breaks_become_spaces() {
    check("two\nlines\r\n", "two lines  ");
}
