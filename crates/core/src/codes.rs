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
///
/// A code is matched as `tt`, not `literal`: a `literal` fragment reaches derive macros wrapped in
/// an invisible group, which serde reads but utoipa skipped, so the OpenAPI enum listed variant
/// names (`natural`) where the server sends codes (`1`).
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident, $list:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:tt, $vi:literal, $en:literal; )+
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

code_list! {
    /// Fields of science and technology (OECD FOS 2007, on which Vietnam's classification is
    /// built): level 1 (`1`–`6`) and level 2 (`1.1`–`6.5`).
    SciField, "sci_field" {
        Natural = "1", "Khoa học tự nhiên", "Natural sciences";
        Mathematics = "1.1", "Toán học và thống kê", "Mathematics";
        ComputerScience = "1.2", "Khoa học máy tính và thông tin", "Computer and information sciences";
        Physics = "1.3", "Khoa học vật lý", "Physical sciences";
        Chemistry = "1.4", "Khoa học hóa học", "Chemical sciences";
        EarthSciences = "1.5", "Khoa học trái đất và môi trường liên quan", "Earth and related environmental sciences";
        Biology = "1.6", "Sinh học", "Biological sciences";
        OtherNatural = "1.7", "Khoa học tự nhiên khác", "Other natural sciences";
        Engineering = "2", "Khoa học kỹ thuật và công nghệ", "Engineering and technology";
        CivilEngineering = "2.1", "Kỹ thuật dân dụng", "Civil engineering";
        ElectricalEngineering = "2.2", "Kỹ thuật điện, điện tử, thông tin", "Electrical, electronic and information engineering";
        MechanicalEngineering = "2.3", "Kỹ thuật cơ khí", "Mechanical engineering";
        ChemicalEngineering = "2.4", "Kỹ thuật hóa học", "Chemical engineering";
        MaterialsEngineering = "2.5", "Kỹ thuật vật liệu và luyện kim", "Materials engineering";
        MedicalEngineering = "2.6", "Kỹ thuật y học", "Medical engineering";
        EnvironmentalEngineering = "2.7", "Kỹ thuật môi trường", "Environmental engineering";
        EnvironmentalBiotechnology = "2.8", "Công nghệ sinh học môi trường", "Environmental biotechnology";
        IndustrialBiotechnology = "2.9", "Công nghệ sinh học công nghiệp", "Industrial biotechnology";
        Nanotechnology = "2.10", "Công nghệ nano", "Nano-technology";
        OtherEngineering = "2.11", "Kỹ thuật và công nghệ khác", "Other engineering and technologies";
        Medical = "3", "Khoa học y, dược", "Medical and health sciences";
        BasicMedicine = "3.1", "Y học cơ sở", "Basic medicine";
        ClinicalMedicine = "3.2", "Y học lâm sàng", "Clinical medicine";
        HealthSciences = "3.3", "Khoa học sức khỏe", "Health sciences";
        MedicalBiotechnology = "3.4", "Công nghệ sinh học trong y học", "Medical biotechnology";
        OtherMedical = "3.5", "Khoa học y, dược khác", "Other medical sciences";
        Agricultural = "4", "Khoa học nông nghiệp", "Agricultural sciences";
        AgricultureForestryFisheries = "4.1", "Trồng trọt, lâm nghiệp, thủy sản", "Agriculture, forestry and fisheries";
        AnimalScience = "4.2", "Chăn nuôi", "Animal and dairy science";
        VeterinaryScience = "4.3", "Thú y", "Veterinary science";
        AgriculturalBiotechnology = "4.4", "Công nghệ sinh học trong nông nghiệp", "Agricultural biotechnology";
        OtherAgricultural = "4.5", "Khoa học nông nghiệp khác", "Other agricultural sciences";
        Social = "5", "Khoa học xã hội", "Social sciences";
        Psychology = "5.1", "Tâm lý học", "Psychology";
        Economics = "5.2", "Kinh tế và kinh doanh", "Economics and business";
        Education = "5.3", "Khoa học giáo dục", "Educational sciences";
        Sociology = "5.4", "Xã hội học", "Sociology";
        Law = "5.5", "Pháp luật", "Law";
        PoliticalScience = "5.6", "Khoa học chính trị", "Political science";
        Geography = "5.7", "Địa lý kinh tế và xã hội", "Social and economic geography";
        Media = "5.8", "Thông tin đại chúng và truyền thông", "Media and communications";
        OtherSocial = "5.9", "Khoa học xã hội khác", "Other social sciences";
        Humanities = "6", "Khoa học nhân văn", "Humanities";
        History = "6.1", "Lịch sử và khảo cổ học", "History and archaeology";
        Languages = "6.2", "Ngôn ngữ học và văn học", "Languages and literature";
        Philosophy = "6.3", "Triết học, đạo đức học và tôn giáo", "Philosophy, ethics and religion";
        Arts = "6.4", "Nghệ thuật", "Art";
        OtherHumanities = "6.5", "Khoa học nhân văn khác", "Other humanities";
    }
}

impl SciField {
    /// The level-1 field a code belongs to (itself for a level-1 code).
    pub fn parent(self) -> SciField {
        let code = self.as_str();
        let top = code.split('.').next().unwrap_or(code);
        top.parse().unwrap_or(self)
    }

    pub fn is_top_level(self) -> bool {
        !self.as_str().contains('.')
    }

    /// A code and, for a level-1 code, all its level-2 sub-fields: what a filter on it matches.
    pub fn with_subfields(self) -> Vec<SciField> {
        if !self.is_top_level() {
            return vec![self];
        }
        SciField::ALL
            .iter()
            .copied()
            .filter(|f| f.parent() == self)
            .collect()
    }
}

code_list! {
    /// Technology readiness level.
    Trl, "trl" {
        Trl1 = "1", "Nguyên lý cơ bản đã được quan sát", "Basic principles observed";
        Trl2 = "2", "Khái niệm công nghệ đã được hình thành", "Technology concept formulated";
        Trl3 = "3", "Chứng minh khái niệm bằng thực nghiệm", "Experimental proof of concept";
        Trl4 = "4", "Được kiểm chứng trong phòng thí nghiệm", "Technology validated in the laboratory";
        Trl5 = "5", "Được kiểm chứng trong môi trường liên quan", "Technology validated in a relevant environment";
        Trl6 = "6", "Được trình diễn trong môi trường liên quan", "Technology demonstrated in a relevant environment";
        Trl7 = "7", "Mẫu thử được trình diễn trong môi trường vận hành", "Prototype demonstrated in an operational environment";
        Trl8 = "8", "Hệ thống hoàn chỉnh và đạt chuẩn", "System complete and qualified";
        Trl9 = "9", "Đã được chứng minh trong môi trường vận hành thực tế", "Proven in an operational environment";
    }
}

code_list! {
    /// Kind of technology offer.
    ListingKind, "listing_kind" {
        Technology = "technology", "Công nghệ", "Technology";
        ResearchResult = "research_result", "Kết quả nghiên cứu", "Research result";
        IpAsset = "ip_asset", "Tài sản trí tuệ", "Intellectual property asset";
        EquipmentWithTechnology = "equipment_with_technology", "Thiết bị kèm công nghệ", "Equipment with technology";
        Expertise = "expertise", "Chuyên gia, dịch vụ chuyên môn", "Expertise";
    }
}

code_list! {
    /// Kind of technology need.
    RequestKind, "request_kind" {
        TechnologyAcquisition = "technology_acquisition", "Tiếp nhận công nghệ", "Technology acquisition";
        ProcessImprovement = "process_improvement", "Cải tiến quy trình", "Process improvement";
        EquipmentUpgrade = "equipment_upgrade", "Nâng cấp thiết bị", "Equipment upgrade";
        RdPartner = "rd_partner", "Đối tác nghiên cứu và phát triển", "R&D partner";
        ExpertService = "expert_service", "Dịch vụ chuyên gia", "Expert service";
        DigitalTransformation = "digital_transformation", "Chuyển đổi số", "Digital transformation";
        TestingCertification = "testing_certification", "Thử nghiệm, chứng nhận", "Testing and certification";
    }
}

code_list! {
    /// Language of a record's text fields.
    Lang, "lang" {
        Vi = "vi", "Tiếng Việt", "Vietnamese";
        En = "en", "Tiếng Anh", "English";
    }
}

code_list! {
    /// Type of intellectual property (Law on Intellectual Property).
    IpType, "ip_type" {
        InventionPatent = "invention_patent", "Sáng chế", "Invention patent";
        UtilitySolution = "utility_solution", "Giải pháp hữu ích", "Utility solution";
        IndustrialDesign = "industrial_design", "Kiểu dáng công nghiệp", "Industrial design";
        LayoutDesign = "layout_design", "Thiết kế bố trí mạch tích hợp", "Layout design of integrated circuits";
        Trademark = "trademark", "Nhãn hiệu", "Trademark";
        GeographicalIndication = "geographical_indication", "Chỉ dẫn địa lý", "Geographical indication";
        TradeSecret = "trade_secret", "Bí mật kinh doanh, bí quyết", "Trade secret or know-how";
        SoftwareCopyright = "software_copyright", "Quyền tác giả phần mềm", "Software copyright";
        PlantVariety = "plant_variety", "Giống cây trồng", "Plant variety";
        Other = "other", "Khác", "Other";
    }
}

code_list! {
    /// Legal status of an IP asset.
    LegalStatus, "legal_status" {
        NotFiled = "not_filed", "Chưa nộp đơn", "Not filed";
        Filed = "filed", "Đã nộp đơn", "Filed";
        Published = "published", "Đã công bố đơn", "Application published";
        Granted = "granted", "Đã được cấp văn bằng", "Granted";
        Refused = "refused", "Bị từ chối", "Refused";
        Lapsed = "lapsed", "Mất hiệu lực", "Lapsed";
        Expired = "expired", "Hết thời hạn bảo hộ", "Expired";
    }
}

code_list! {
    /// Forms of technology transfer (Law on Technology Transfer 2017, art. 5).
    TransferForm, "transfer_form" {
        Standalone = "standalone", "Chuyển giao công nghệ độc lập", "Standalone transfer";
        InvestmentProject = "investment_project", "Chuyển giao trong dự án đầu tư", "Within an investment project";
        CapitalContribution = "capital_contribution", "Góp vốn bằng công nghệ", "Capital contribution in technology";
        Franchise = "franchise", "Nhượng quyền thương mại", "Franchise";
        IpTransfer = "ip_transfer", "Chuyển giao quyền sở hữu trí tuệ", "Transfer of IP rights";
        EquipmentSale = "equipment_sale", "Mua bán máy móc, thiết bị kèm công nghệ", "Sale of equipment with technology";
        Other = "other", "Hình thức khác", "Other";
    }
}

code_list! {
    /// Methods of technology transfer.
    TransferMethod, "transfer_method" {
        Documents = "documents", "Chuyển giao tài liệu", "Documents";
        Training = "training", "Đào tạo", "Training";
        ExpertDispatch = "expert_dispatch", "Cử chuyên gia", "Expert dispatch";
        Machinery = "machinery", "Chuyển giao máy móc, thiết bị", "Machinery";
        Other = "other", "Phương thức khác", "Other";
    }
}

code_list! {
    /// Types of cooperation offered or accepted.
    CooperationType, "cooperation_type" {
        License = "license", "Cấp phép sử dụng", "License";
        Assignment = "assignment", "Chuyển nhượng", "Assignment";
        TechnicalCooperation = "technical_cooperation", "Hợp tác kỹ thuật", "Technical cooperation";
        CommercialWithTechnicalAssistance = "commercial_with_technical_assistance", "Thương mại kèm hỗ trợ kỹ thuật", "Commercial agreement with technical assistance";
        RdCooperation = "rd_cooperation", "Hợp tác nghiên cứu phát triển", "R&D cooperation";
        ContractResearch = "contract_research", "Đặt hàng nghiên cứu", "Contract research";
        JointVenture = "joint_venture", "Liên doanh", "Joint venture";
        CapitalContribution = "capital_contribution", "Góp vốn", "Capital contribution";
        SpinOff = "spin_off", "Thành lập doanh nghiệp spin-off", "Spin-off";
        Manufacturing = "manufacturing", "Hợp tác sản xuất", "Manufacturing agreement";
        TechnicalServices = "technical_services", "Dịch vụ kỹ thuật", "Technical services";
        Training = "training", "Đào tạo", "Training";
        EquipmentSale = "equipment_sale", "Mua bán thiết bị", "Equipment sale";
        PilotTestbed = "pilot_testbed", "Thử nghiệm, trình diễn", "Pilot or testbed";
    }
}

code_list! {
    /// How a listing is priced.
    PricingModel, "pricing_model" {
        Negotiable = "negotiable", "Thỏa thuận", "Negotiable";
        Fixed = "fixed", "Giá cố định", "Fixed price";
        Range = "range", "Khoảng giá", "Price range";
        Appraisal = "appraisal", "Theo thẩm định giá", "By appraisal";
        Auction = "auction", "Đấu giá", "Auction";
        Free = "free", "Miễn phí", "Free";
    }
}

code_list! {
    /// Who funded the research behind a listing.
    FundingOrigin, "funding_origin" {
        StateBudgetNational = "state_budget_national", "Ngân sách nhà nước trung ương", "National state budget";
        StateBudgetProvincial = "state_budget_provincial", "Ngân sách tỉnh", "Provincial state budget";
        Enterprise = "enterprise", "Doanh nghiệp", "Enterprise";
        Foreign = "foreign", "Nước ngoài", "Foreign";
        Mixed = "mixed", "Hỗn hợp", "Mixed";
        SelfFunded = "self_funded", "Tự đầu tư", "Self-funded";
    }
}

code_list! {
    /// Category under the Law on Technology Transfer; `prohibited` can never be published.
    TechCategory, "tech_category" {
        Encouraged = "encouraged", "Khuyến khích chuyển giao", "Encouraged";
        Normal = "normal", "Thông thường", "Normal";
        Restricted = "restricted", "Hạn chế chuyển giao", "Restricted";
        Prohibited = "prohibited", "Cấm chuyển giao", "Prohibited";
    }
}

code_list! {
    /// What IP arrangement a requester expects.
    IpExpectation, "ip_expectation" {
        Assignment = "assignment", "Chuyển nhượng quyền", "Assignment";
        ExclusiveLicense = "exclusive_license", "Li-xăng độc quyền", "Exclusive license";
        NonExclusiveLicense = "non_exclusive_license", "Li-xăng không độc quyền", "Non-exclusive license";
        Open = "open", "Mở", "Open";
        Any = "any", "Bất kỳ", "Any";
    }
}

code_list! {
    /// How a request came to the exchange.
    RequestOrigin, "request_origin" {
        SelfPosted = "self_posted", "Tự đăng", "Self-posted";
        BrokerElicited = "broker_elicited", "Do môi giới khai thác", "Elicited by a broker";
        Event = "event", "Từ sự kiện (techmart ngược)", "From an event (reverse techmart)";
        StateOrder = "state_order", "Đặt hàng của nhà nước", "State order";
    }
}

code_list! {
    /// Lifecycle status of a listing or a request.
    RecordStatus, "status" {
        Draft = "draft", "Bản nháp", "Draft";
        Submitted = "submitted", "Chờ duyệt", "Submitted";
        ChangesRequested = "changes_requested", "Yêu cầu chỉnh sửa", "Changes requested";
        Published = "published", "Đã công bố", "Published";
        Paused = "paused", "Tạm dừng", "Paused";
        Rejected = "rejected", "Bị từ chối", "Rejected";
        Withdrawn = "withdrawn", "Đã rút", "Withdrawn";
        Expired = "expired", "Hết hạn", "Expired";
        Transferred = "transferred", "Đã chuyển giao", "Transferred";
        Fulfilled = "fulfilled", "Đã đáp ứng", "Fulfilled";
    }
}

code_list! {
    /// Lifecycle actions, sent to `POST …/{id}/transitions`.
    Action, "action" {
        Submit = "submit", "Gửi duyệt", "Submit for review";
        Edit = "edit", "Rút về để sửa", "Take back to edit";
        Publish = "publish", "Công bố", "Publish";
        RequestChanges = "request_changes", "Yêu cầu chỉnh sửa", "Request changes";
        Reject = "reject", "Từ chối", "Reject";
        Pause = "pause", "Tạm dừng", "Pause";
        Resume = "resume", "Tiếp tục", "Resume";
        Withdraw = "withdraw", "Rút", "Withdraw";
        Close = "close", "Đóng (đã chuyển giao / đáp ứng)", "Close (transferred / fulfilled)";
        Renew = "renew", "Gia hạn, xác nhận còn hiệu lực", "Renew";
    }
}

code_list! {
    /// Who proposed a match.
    MatchSource, "match_source" {
        Algorithm = "algorithm", "Thuật toán gợi ý", "Suggested by the algorithm";
        Broker = "broker", "Môi giới đề xuất", "Proposed by a broker";
        SelfProposed = "self", "Bên sở hữu tự chọn", "Chosen by an owner";
    }
}

code_list! {
    /// Status of a match: `suggested` → `introduced` → `accepted` | `declined`.
    MatchStatus, "match_status" {
        Suggested = "suggested", "Được gợi ý", "Suggested";
        Introduced = "introduced", "Đã giới thiệu", "Introduced";
        Accepted = "accepted", "Hai bên chấp nhận", "Accepted";
        Declined = "declined", "Bị từ chối", "Declined";
    }
}

code_list! {
    /// One side's answer to an introduction.
    MatchAnswer, "match_answer" {
        Accept = "accept", "Chấp nhận", "Accept";
        Decline = "decline", "Từ chối", "Decline";
    }
}

code_list! {
    /// Why a side declined a match.
    DeclineReason, "decline_reason" {
        TooEarlyStage = "too_early_stage", "Công nghệ còn ở giai đoạn quá sớm", "Too early a stage";
        BenefitUnclear = "benefit_unclear", "Chưa rõ lợi ích", "Benefit unclear";
        PriceTerms = "price_terms", "Giá và điều khoản", "Price and terms";
        IpIssues = "ip_issues", "Vướng mắc sở hữu trí tuệ", "IP issues";
        NotRelevant = "not_relevant", "Không phù hợp", "Not relevant";
        FoundAlternative = "found_alternative", "Đã có giải pháp khác", "Found an alternative";
        Other = "other", "Lý do khác", "Other";
    }
}

code_list! {
    /// Stage of an engagement (the deal pipeline).
    EngagementStage, "engagement_stage" {
        Inquiry = "inquiry", "Hỏi thông tin", "Inquiry";
        Introduced = "introduced", "Đã giới thiệu", "Introduced";
        NdaSigned = "nda_signed", "Đã ký thỏa thuận bảo mật", "NDA signed";
        MeetingHeld = "meeting_held", "Đã gặp gỡ", "Meeting held";
        Negotiation = "negotiation", "Đàm phán", "Negotiation";
        MouSigned = "mou_signed", "Đã ký biên bản ghi nhớ", "MoU signed";
        ContractSigned = "contract_signed", "Đã ký hợp đồng", "Contract signed";
        Implementing = "implementing", "Đang thực hiện", "Implementing";
        Completed = "completed", "Hoàn thành", "Completed";
        Lost = "lost", "Không thành", "Lost";
        OnHold = "on_hold", "Tạm dừng", "On hold";
    }
}

impl EngagementStage {
    /// The stages an engagement may move to from this one (`on_hold` resumes to the stage it
    /// was held at, handled by the caller). Steps may skip the optional NDA and MoU.
    pub fn next(self) -> &'static [EngagementStage] {
        use EngagementStage::*;
        match self {
            Inquiry => &[Introduced, Lost, OnHold],
            Introduced => &[NdaSigned, MeetingHeld, Lost, OnHold],
            NdaSigned => &[MeetingHeld, Lost, OnHold],
            MeetingHeld => &[Negotiation, Lost, OnHold],
            Negotiation => &[MouSigned, ContractSigned, Lost, OnHold],
            MouSigned => &[ContractSigned, Lost, OnHold],
            ContractSigned => &[Implementing, Lost, OnHold],
            Implementing => &[Completed, Lost, OnHold],
            Completed | Lost => &[],
            OnHold => &[Lost],
        }
    }
}

code_list! {
    /// Where an engagement came from.
    EngagementOrigin, "engagement_origin" {
        Match = "match", "Từ kết nối", "From a match";
        Inquiry = "inquiry", "Từ hỏi thông tin", "From an inquiry";
        Event = "event", "Từ sự kiện (techmart, trình diễn)", "From an event";
    }
}

code_list! {
    /// Kind of an outcome other than a contract.
    OutcomeKind, "outcome_kind" {
        SpinOff = "spin_off", "Doanh nghiệp spin-off", "Spin-off company";
        StartupSupport = "startup_support", "Hỗ trợ khởi nghiệp", "Startup support";
        Commercialisation = "commercialisation", "Thương mại hóa kết quả nghiên cứu", "Commercialisation of a research result";
    }
}

code_list! {
    /// Kind of a contract.
    ContractKind, "contract_kind" {
        TechnologyTransfer = "technology_transfer", "Chuyển giao công nghệ", "Technology transfer";
        License = "license", "Cấp phép sử dụng", "Licence";
        Assignment = "assignment", "Chuyển nhượng", "Assignment";
        RdContract = "rd_contract", "Hợp đồng nghiên cứu", "R&D contract";
        Service = "service", "Dịch vụ kỹ thuật", "Service";
        CapitalContribution = "capital_contribution", "Góp vốn bằng công nghệ", "Capital contribution";
        JointVenture = "joint_venture", "Liên doanh", "Joint venture";
        CooperationAgreement = "cooperation_agreement", "Thỏa thuận hợp tác", "Cooperation agreement";
    }
}

code_list! {
    /// Status of a request for the confidential tier.
    AccessRequestStatus, "access_request_status" {
        Pending = "pending", "Chờ quyết định", "Pending";
        Granted = "granted", "Đã cấp quyền", "Granted";
        Refused = "refused", "Bị từ chối", "Refused";
    }
}

code_list! {
    /// Status of an inquiry.
    InquiryStatus, "inquiry_status" {
        Open = "open", "Đang trao đổi", "Open";
        Closed = "closed", "Đã đóng", "Closed";
    }
}

impl Province {
    /// The exchange is built first for Thanh Hóa.
    pub const DEFAULT: Province = Province::ThanhHoa;
}

/// Every code list served by `GET /api/v1/taxonomies`, by name.
pub fn taxonomies() -> Vec<(&'static str, Vec<CodeLabel>)> {
    vec![
        (OrgType::LIST, OrgType::labels()),
        (Province::LIST, Province::labels()),
        (SciField::LIST, SciField::labels()),
        (Trl::LIST, Trl::labels()),
        (ListingKind::LIST, ListingKind::labels()),
        (RequestKind::LIST, RequestKind::labels()),
        (Lang::LIST, Lang::labels()),
        (IpType::LIST, IpType::labels()),
        (LegalStatus::LIST, LegalStatus::labels()),
        (TransferForm::LIST, TransferForm::labels()),
        (TransferMethod::LIST, TransferMethod::labels()),
        (CooperationType::LIST, CooperationType::labels()),
        (PricingModel::LIST, PricingModel::labels()),
        (FundingOrigin::LIST, FundingOrigin::labels()),
        (TechCategory::LIST, TechCategory::labels()),
        (IpExpectation::LIST, IpExpectation::labels()),
        (RequestOrigin::LIST, RequestOrigin::labels()),
        (RecordStatus::LIST, RecordStatus::labels()),
        (Action::LIST, Action::labels()),
        (PlatformRole::LIST, PlatformRole::labels()),
        (OrgRole::LIST, OrgRole::labels()),
        (Verification::LIST, Verification::labels()),
        (ApiScope::LIST, ApiScope::labels()),
        (MatchSource::LIST, MatchSource::labels()),
        (MatchStatus::LIST, MatchStatus::labels()),
        (MatchAnswer::LIST, MatchAnswer::labels()),
        (DeclineReason::LIST, DeclineReason::labels()),
        (InquiryStatus::LIST, InquiryStatus::labels()),
        (AccessRequestStatus::LIST, AccessRequestStatus::labels()),
        (EngagementStage::LIST, EngagementStage::labels()),
        (EngagementOrigin::LIST, EngagementOrigin::labels()),
        (ContractKind::LIST, ContractKind::labels()),
        (OutcomeKind::LIST, OutcomeKind::labels()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The data dictionary (docs/domain.md) names exactly the code lists the server serves.
    #[test]
    fn the_domain_page_names_every_code_list_served() {
        let page = include_str!("../../../docs/domain.md");
        let named: std::collections::BTreeSet<&str> = page
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .collect();
        let served: std::collections::BTreeSet<&str> =
            taxonomies().into_iter().map(|(name, _)| name).collect();
        assert_eq!(named, served);
    }

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
    fn a_top_level_field_expands_to_its_subfields() {
        let engineering = SciField::Engineering.with_subfields();
        assert_eq!(engineering.len(), 12);
        assert!(engineering.contains(&SciField::Nanotechnology));
        assert!(!engineering.contains(&SciField::Natural));
        assert_eq!(
            SciField::Nanotechnology.with_subfields(),
            vec![SciField::Nanotechnology]
        );
        assert_eq!(
            "2.10".parse::<SciField>().unwrap().parent(),
            SciField::Engineering
        );
        assert_eq!(SciField::ALL.len(), 48);
    }

    #[test]
    fn every_taxonomy_has_a_unique_name_and_codes_with_both_labels() {
        let lists = taxonomies();
        let names: HashSet<&str> = lists.iter().map(|(name, _)| *name).collect();
        assert_eq!(names.len(), lists.len());
        for (name, labels) in &lists {
            assert!(!labels.is_empty(), "{name}");
            let codes: HashSet<&str> = labels.iter().map(|l| l.code).collect();
            assert_eq!(codes.len(), labels.len(), "{name} repeats a code");
            for label in labels {
                assert!(
                    !label.label_vi.is_empty() && !label.label_en.is_empty(),
                    "{name}.{}",
                    label.code
                );
                assert!(label.code.is_ascii(), "{name}.{}", label.code);
            }
        }
    }

    #[test]
    fn an_unknown_code_names_its_list() {
        let error = "mysql".parse::<OrgType>().unwrap_err();
        assert_eq!(error.to_string(), "unknown org_type code `mysql`");
    }
}
