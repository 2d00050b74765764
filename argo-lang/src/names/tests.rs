use super::*;

#[test]
fn argo_field_and_parameter_names() {
    assert!(check_field_name("train-1").is_ok());
    assert!(check_field_name("1train").is_ok());
    assert!(check_field_name("-train").is_err());
    assert!(check_field_name("train_1").is_err());
    assert_eq!(
        check_field_name(&"a".repeat(129)),
        Err(NameError::TooLong { max: 128, len: 129 })
    );
    assert!(check_param_name("data_uri-2").is_ok());
    assert!(check_param_name("data.uri").is_err());
    assert!(check_param_name("").is_err());
}

#[test]
fn kubernetes_names() {
    assert!(check_dns_subdomain("cv-train.v1", 63).is_ok());
    assert!(check_dns_subdomain("CV", 63).is_err());
    assert!(check_dns_subdomain("a-", 63).is_err());
    assert!(check_dns_subdomain("a..b", 63).is_err());
    assert!(check_dns_label("a.b").is_err());
    assert!(check_dns_label(&"a".repeat(64)).is_err());
    assert!(check_dns_label("1-a").is_ok());
    assert!(check_dns1035_label("1-a").is_err());
    assert!(check_dns1035_label("train-fold").is_ok());
    assert!(check_dns1035_label("train-").is_err());
    assert!(check_config_map_key("aws_secret.key-1").is_ok());
    assert!(check_config_map_key("a/b").is_err());
    assert!(check_config_map_key("..").is_err());
}

#[test]
fn labels_and_keys() {
    assert!(check_label_key("app.kubernetes.io/name").is_ok());
    assert!(check_label_key("bad key").is_err());
    assert_eq!(
        check_label_key("Bad/name").unwrap_err().to_string(),
        "prefix \"Bad\" must be a lowercase RFC 1123 subdomain: lowercase alphanumeric \
         characters, '-' or '.', starting and ending with an alphanumeric character"
    );
    assert!(check_label_value("").is_ok());
    assert!(check_label_value("v1.0_x").is_ok());
    assert!(check_label_value("-x").is_err());
}
