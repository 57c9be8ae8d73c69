//! Run-time device selection: the names this build offers parse, anything else is refused
//! with the list of what is available.

use sslc_runtime::device;

#[test]
fn compiled_in_devices_parse_and_unknown_names_list_the_choices() {
    let names = device::names();
    assert!(!names.is_empty());
    assert_eq!(device::preferred_name(), names[0]);
    for name in names.iter().filter(|n| !n.contains(':')) {
        assert!(device::parse(name).is_ok(), "{name}");
    }
    let e = device::parse("tpu:0").expect_err("no such device");
    assert!(e.contains("unknown device `tpu:0`"), "{e}");
    for name in &names {
        assert!(e.contains(name), "{e} should offer {name}");
    }
    assert!(device::parse(if cfg!(feature = "tch") { "tch:cuda:x" } else { "tch" }).is_err());
}
