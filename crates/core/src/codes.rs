//! Code lists: stable ASCII codes stored in the database and sent over the API, each with a
//! Vietnamese and an English label.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// One entry of a code list, as served to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct CodeLabel {
    /// The stable ASCII code.
    pub code: &'static str,
    /// Vietnamese label.
    pub label_vi: &'static str,
    /// English label.
    pub label_en: &'static str,
}

/// The code is not in the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {list} code `{code}`")]
pub struct UnknownCode {
    pub list: &'static str,
    pub code: String,
}

/// Defines a code-list enum with its codes and labels, `as_str`, `FromStr`, `ALL` and `labels`.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident, $list:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $vi:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name of this code list.
            pub const LIST: &'static str = $list;

            /// The stable ASCII code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Code and labels.
            pub fn label(self) -> CodeLabel {
                match self {
                    $($name::$variant => CodeLabel { code: $code, label_vi: $vi, label_en: $en },)+
                }
            }

            /// Every entry with its labels.
            pub fn labels() -> Vec<CodeLabel> {
                Self::ALL.iter().map(|value| value.label()).collect()
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { list: $list, code: code.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_list! {
    /// Kind of organization (`org_type`).
    OrgType, "org_type" {
        University = "university", "Trường đại học/học viện", "University or academy";
        ResearchInstitute = "research_institute", "Viện/trung tâm nghiên cứu", "Research institute or centre";
        Enterprise = "enterprise", "Doanh nghiệp", "Enterprise";
        ScienceTechnologyEnterprise = "science_technology_enterprise", "Doanh nghiệp khoa học và công nghệ", "Science and technology enterprise";
        Startup = "startup", "Doanh nghiệp khởi nghiệp đổi mới sáng tạo", "Innovative startup";
        Cooperative = "cooperative", "Hợp tác xã", "Cooperative";
        Intermediary = "intermediary", "Tổ chức trung gian", "Intermediary organization";
        GovernmentAgency = "government_agency", "Cơ quan nhà nước", "Government agency";
        FundInvestor = "fund_investor", "Quỹ/nhà đầu tư", "Fund or investor";
        Association = "association", "Hội/hiệp hội", "Association";
        Individual = "individual", "Cá nhân/nhà sáng chế", "Individual or inventor";
    }
}

code_list! {
    /// Platform-wide role of a user (`platform_role`).
    PlatformRole, "platform_role" {
        /// The exchange operator (the Department of Science and Technology).
        Admin = "admin", "Quản trị sàn", "Administrator";
        /// Reviews and publishes records, verifies organizations.
        Moderator = "moderator", "Kiểm duyệt viên", "Moderator";
        /// Intermediary staff: sees all records in full, proposes matches, runs engagements.
        Broker = "broker", "Nhà môi giới", "Broker";
        /// Everyone else.
        Member = "member", "Thành viên", "Member";
    }
}

code_list! {
    /// Role of a user inside an organization (`org_role`).
    OrgRole, "org_role" {
        Owner = "owner", "Chủ sở hữu", "Owner";
        Editor = "editor", "Biên tập viên", "Editor";
        Viewer = "viewer", "Người xem", "Viewer";
    }
}

code_list! {
    /// Verification state of an organization, set by a moderator.
    Verification, "verification" {
        Pending = "pending", "Chờ xác minh", "Pending";
        Verified = "verified", "Đã xác minh", "Verified";
        Rejected = "rejected", "Bị từ chối", "Rejected";
    }
}

code_list! {
    /// What an API key may do.
    ApiScope, "api_scope" {
        /// Read what the organization may read.
        Read = "read", "Đọc", "Read";
        /// Create and change the organization's records.
        Write = "write", "Ghi", "Write";
        /// Brokering actions for an intermediary organization.
        Broker = "broker", "Môi giới", "Broker";
    }
}

code_list! {
    /// The 34 provinces and centrally-run cities in force since 1 July 2025.
    Province, "province" {
        HaNoi = "ha_noi", "Thành phố Hà Nội", "Ha Noi City";
        Hue = "hue", "Thành phố Huế", "Hue City";
        HaiPhong = "hai_phong", "Thành phố Hải Phòng", "Hai Phong City";
        DaNang = "da_nang", "Thành phố Đà Nẵng", "Da Nang City";
        HoChiMinh = "ho_chi_minh", "Thành phố Hồ Chí Minh", "Ho Chi Minh City";
        CanTho = "can_tho", "Thành phố Cần Thơ", "Can Tho City";
        LaiChau = "lai_chau", "Tỉnh Lai Châu", "Lai Chau Province";
        DienBien = "dien_bien", "Tỉnh Điện Biên", "Dien Bien Province";
        SonLa = "son_la", "Tỉnh Sơn La", "Son La Province";
        LangSon = "lang_son", "Tỉnh Lạng Sơn", "Lang Son Province";
        QuangNinh = "quang_ninh", "Tỉnh Quảng Ninh", "Quang Ninh Province";
        ThanhHoa = "thanh_hoa", "Tỉnh Thanh Hóa", "Thanh Hoa Province";
        NgheAn = "nghe_an", "Tỉnh Nghệ An", "Nghe An Province";
        HaTinh = "ha_tinh", "Tỉnh Hà Tĩnh", "Ha Tinh Province";
        CaoBang = "cao_bang", "Tỉnh Cao Bằng", "Cao Bang Province";
        TuyenQuang = "tuyen_quang", "Tỉnh Tuyên Quang", "Tuyen Quang Province";
        LaoCai = "lao_cai", "Tỉnh Lào Cai", "Lao Cai Province";
        ThaiNguyen = "thai_nguyen", "Tỉnh Thái Nguyên", "Thai Nguyen Province";
        PhuTho = "phu_tho", "Tỉnh Phú Thọ", "Phu Tho Province";
        BacNinh = "bac_ninh", "Tỉnh Bắc Ninh", "Bac Ninh Province";
        HungYen = "hung_yen", "Tỉnh Hưng Yên", "Hung Yen Province";
        NinhBinh = "ninh_binh", "Tỉnh Ninh Bình", "Ninh Binh Province";
        QuangTri = "quang_tri", "Tỉnh Quảng Trị", "Quang Tri Province";
        QuangNgai = "quang_ngai", "Tỉnh Quảng Ngãi", "Quang Ngai Province";
        GiaLai = "gia_lai", "Tỉnh Gia Lai", "Gia Lai Province";
        KhanhHoa = "khanh_hoa", "Tỉnh Khánh Hòa", "Khanh Hoa Province";
        LamDong = "lam_dong", "Tỉnh Lâm Đồng", "Lam Dong Province";
        DakLak = "dak_lak", "Tỉnh Đắk Lắk", "Dak Lak Province";
        DongNai = "dong_nai", "Tỉnh Đồng Nai", "Dong Nai Province";
        TayNinh = "tay_ninh", "Tỉnh Tây Ninh", "Tay Ninh Province";
        VinhLong = "vinh_long", "Tỉnh Vĩnh Long", "Vinh Long Province";
        DongThap = "dong_thap", "Tỉnh Đồng Tháp", "Dong Thap Province";
        CaMau = "ca_mau", "Tỉnh Cà Mau", "Ca Mau Province";
        AnGiang = "an_giang", "Tỉnh An Giang", "An Giang Province";
    }
}

impl Province {
    /// The exchange is built first for Thanh Hóa.
    pub const DEFAULT: Province = Province::ThanhHoa;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_exactly_thirty_four_distinct_provinces() {
        let codes: HashSet<&str> = Province::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(codes.len(), 34);
    }

    #[test]
    fn every_code_round_trips_through_text_and_json() {
        for role in PlatformRole::ALL {
            assert_eq!(role.as_str().parse::<PlatformRole>().unwrap(), *role);
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        for org_type in OrgType::ALL {
            assert_eq!(org_type.as_str().parse::<OrgType>().unwrap(), *org_type);
        }
    }

    #[test]
    fn an_unknown_code_names_its_list() {
        let error = "mysql".parse::<OrgType>().unwrap_err();
        assert_eq!(error.to_string(), "unknown org_type code `mysql`");
    }
}
