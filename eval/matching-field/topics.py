# The second matching set: needs as the people who post them write, and offers in the words of
# those who sell, written apart from the first set (eval/matching) so that one can tune and the
# other report.
#
# Each topic: group (how it is reported), field (level-2 code of the need and its solving
# offers), kind, need (lang, title, problem, keywords), trl_min, budget (VND min, max, or None),
# coop (accepted cooperation types), and four offers, each (lang, title, summary, keywords):
#   solve:   solves the need and fits every constraint (grade 3);
#   broken:  solves it as well, but breaks one constraint, named by `trap` (trl, price or coop)
#            (grade 2: worth more than a fitting offer on another subject);
#   related: same subject, does not solve this need (grade 1);
#   other:   shares many of the need's words, another subject and field (grade 0), with its field.
# Texts are invented for this set.

TOPICS = [
    # --- long needs in the words of a cooperative, a hospital, a commune -----------------
    dict(
        group="vi-long", field="4.1", kind="technology_acquisition", trl_min=6,
        budget=(80_000_000, 250_000_000), coop=["technical_services", "training"], trap="trl",
        need=("vi", "Hợp tác xã cần cách giữ cam Vân Du lâu hỏng sau thu hoạch",
              "Hợp tác xã chúng tôi ở Thạch Thành có 60 ha cam, mỗi vụ thu khoảng 900 tấn. Cam hái xong để"
              " trong kho thường sau hai tuần là vỏ héo, thối cuống, nhiều quả bị nấm mốc xanh, thương lái ép"
              " giá. Chúng tôi muốn có cách xử lý và bảo quản để giữ quả tươi được hai, ba tháng mà không dùng"
              " hóa chất cấm, làm được ngay tại hợp tác xã với kho nhỏ, có người hướng dẫn bà con làm theo.",
              ["bảo quản cam", "sau thu hoạch", "nấm mốc"]),
        solve=("vi", "Quy trình bảo quản cam quýt tươi 90 ngày bằng màng bao sáp sinh học",
               "Xử lý quả cam sau thu hoạch bằng nước nóng và màng bao sáp gốc chitosan, kết hợp kho lạnh"
               " 8 độ C, giữ quả tươi, hạn chế thối cuống và nấm mốc xanh tới 90 ngày; đã áp dụng cho hợp"
               " tác xã cây ăn quả, có tập huấn.",
               ["bảo quản cam", "chitosan", "kho lạnh"]),
        broken=("vi", "Nghiên cứu màng bao ăn được kéo dài thời gian bảo quản quả có múi",
              "Thử nghiệm trong phòng thí nghiệm màng bao ăn được từ tinh bột và chitosan cho cam, bưởi,"
              " giảm hao hụt khối lượng và nấm mốc sau thu hoạch; mới ở quy mô mẫu nhỏ.",
              ["màng bao ăn được", "quả có múi"]),
        related=("vi", "Kỹ thuật thâm canh cam sành đạt năng suất cao",
                 "Quy trình bón phân, tỉa cành và phòng trừ sâu bệnh cho vườn cam sành, tăng năng suất"
                 " 20% và tỉ lệ quả loại một.",
                 ["thâm canh cam", "phòng trừ sâu bệnh"]),
        other=("vi", "Kho lạnh bảo quản vắc xin cho trạm y tế xã", "Tủ và kho lạnh giữ 2-8 độ C cho"
               " vắc xin, có cảnh báo nhiệt độ qua điện thoại, dùng cho trạm y tế và hợp tác xã dược.",
               ["kho lạnh", "vắc xin"], "3.3"),
    ),
    dict(
        group="vi-long", field="3.2", kind="technology_acquisition", trl_min=7,
        budget=(300_000_000, 900_000_000), coop=["license", "technical_services"], trap="price",
        need=("vi", "Bệnh viện huyện cần giải pháp đọc phim X-quang phổi hỗ trợ bác sĩ",
              "Bệnh viện đa khoa huyện mỗi ngày chụp khoảng 150 phim X-quang ngực nhưng chỉ có hai bác sĩ"
              " chẩn đoán hình ảnh, ca trực đêm thường không có người đọc. Chúng tôi cần một phần mềm đánh"
              " dấu các phim nghi lao, viêm phổi, tràn dịch để bác sĩ ưu tiên đọc trước, chạy được trên máy"
              " chủ của bệnh viện, kết nối với hệ thống PACS hiện có và có hỗ trợ kỹ thuật tại chỗ.",
              ["X-quang ngực", "đọc phim", "PACS"]),
        solve=("vi", "Phần mềm trí tuệ nhân tạo sàng lọc bất thường trên phim X-quang ngực",
               "Mô hình học sâu phát hiện dấu hiệu lao, viêm phổi, tràn dịch màng phổi trên phim X-quang"
               " ngực thẳng, xếp hạng phim cần đọc gấp, tích hợp PACS theo chuẩn DICOM, cài trên máy chủ"
               " bệnh viện; đã dùng ở bệnh viện tuyến tỉnh.",
               ["trí tuệ nhân tạo", "X-quang ngực", "DICOM"]),
        broken=("vi", "Hệ thống chẩn đoán hình ảnh thông minh trọn gói cho bệnh viện",
              "Giải pháp phân tích X-quang, CT và MRI bằng trí tuệ nhân tạo, cảnh báo phim bất thường cho"
              " bác sĩ, kèm máy chủ GPU và bản quyền năm năm, tích hợp PACS.",
              ["chẩn đoán hình ảnh", "trí tuệ nhân tạo"]),
        related=("vi", "Đào tạo kỹ thuật viên chụp X-quang kỹ thuật số",
                 "Khóa học ba tháng về chụp X-quang kỹ thuật số, an toàn bức xạ và bảo trì máy cho kỹ"
                 " thuật viên bệnh viện tuyến huyện.",
                 ["X-quang kỹ thuật số", "an toàn bức xạ"]),
        other=("vi", "Phần mềm quản lý kho phân bón cho hợp tác xã",
               "Phần mềm theo dõi nhập xuất phân bón, đánh dấu lô sắp hết hạn, chạy trên máy chủ nhỏ và"
               " điện thoại, có hỗ trợ kỹ thuật tại chỗ.",
               ["quản lý kho", "phần mềm"], "1.2"),
    ),
    dict(
        group="vi-long", field="2.7", kind="technology_acquisition", trl_min=6,
        budget=(500_000_000, 1_500_000_000), coop=["technical_services", "equipment_sale"], trap="coop",
        need=("vi", "Xã cần xử lý rác sinh hoạt thay cho bãi chôn lấp sắp đầy",
              "Xã ven biển có khoảng 12.000 dân, mỗi ngày thải ra chừng 8 tấn rác sinh hoạt chưa phân loại."
              " Bãi chôn lấp của xã sắp đầy, mùa mưa nước rỉ rác chảy ra ruộng, dân phản đối. Chúng tôi cần"
              " dây chuyền phân loại và xử lý rác quy mô nhỏ, ủ phần hữu cơ thành phân bón, phần còn lại"
              " đốt hoặc ép, ít khói, chi phí vận hành vừa sức ngân sách xã.",
              ["rác sinh hoạt", "chôn lấp", "phân loại rác"]),
        solve=("vi", "Dây chuyền phân loại và ủ phân hữu cơ từ rác sinh hoạt quy mô xã",
               "Dây chuyền 5-10 tấn/ngày: băng tải phân loại, sàng quay, ủ hiếu khí phần hữu cơ thành"
               " phân compost trong 30 ngày, ép kiện phần nhựa; giảm 70% lượng rác chôn lấp, bán thiết bị"
               " và vận hành thử.",
               ["phân loại rác", "ủ compost", "rác sinh hoạt"]),
        broken=("vi", "Liên doanh đầu tư nhà máy xử lý chất thải rắn cho cụm xã",
              "Tìm đối tác liên doanh xây nhà máy phân loại, ủ phân hữu cơ và đốt rác sinh hoạt 10"
              " tấn/ngày cho cụm xã ven biển, thu phí xử lý theo tấn.",
              ["chất thải rắn", "ủ phân hữu cơ"]),
        related=("vi", "Thùng ủ rác hữu cơ tại hộ gia đình",
                 "Thùng ủ 120 lít có men vi sinh để hộ gia đình tự ủ rau, vỏ quả thành phân bón trong 40"
                 " ngày.",
                 ["ủ rác hữu cơ", "hộ gia đình"]),
        other=("vi", "Máy ép viên phân bón hữu cơ từ phân gà",
               "Máy ép viên 1 tấn/giờ cho phân gà đã ủ, ít bụi, chi phí vận hành thấp, bán thiết bị cho"
               " trang trại và hợp tác xã.",
               ["phân bón hữu cơ", "ép viên"], "4.2"),
    ),
    dict(
        group="vi-long", field="4.3", kind="technology_acquisition", trl_min=7,
        budget=(50_000_000, 200_000_000), coop=["license", "training"], trap="trl",
        need=("vi", "Trang trại gà đẻ cần cách phòng bệnh cầu trùng không lạm dụng kháng sinh",
              "Trại chúng tôi nuôi 20.000 gà đẻ, năm nào cũng bị cầu trùng, gà đi phân máu, giảm đẻ, phải"
              " dùng thuốc kháng sinh nhiều khiến trứng khó bán cho siêu thị. Cần một sản phẩm hoặc quy"
              " trình phòng bệnh thay kháng sinh, trộn thức ăn hoặc pha nước uống được, có kỹ sư hướng dẫn"
              " công nhân và theo dõi kết quả.",
              ["cầu trùng", "gà đẻ", "thay kháng sinh"]),
        solve=("vi", "Chế phẩm thảo dược phòng cầu trùng cho gia cầm",
               "Chế phẩm từ tỏi, nghệ và men vi sinh pha nước uống, phòng và giảm bệnh cầu trùng ở gà"
               " đẻ, gà thịt mà không dùng kháng sinh; đã sản xuất và dùng ở nhiều trại, có hướng dẫn kỹ"
               " thuật.",
               ["cầu trùng", "thảo dược", "gia cầm"]),
        broken=("vi", "Vắc xin cầu trùng thế hệ mới cho gà đang thử nghiệm",
              "Vắc xin sống nhược độc phòng cầu trùng gà, thay thuốc kháng sinh trong thức ăn, đang thử"
              " nghiệm trên đàn gà thí nghiệm.",
              ["vắc xin cầu trùng", "gà"]),
        related=("vi", "Quy trình an toàn sinh học cho trại gà đẻ",
                 "Hướng dẫn sát trùng, kiểm soát người và xe ra vào, xử lý chất độn chuồng cho trại gà"
                 " đẻ quy mô vừa.",
                 ["an toàn sinh học", "gà đẻ"]),
        other=("vi", "Máy soi và phân loại trứng gà tự động",
               "Máy soi trứng bằng đèn LED và camera, loại trứng dập, trứng có máu, phân cỡ trứng cho"
               " siêu thị, 10.000 quả/giờ.",
               ["phân loại trứng", "trứng gà"], "2.3"),
    ),
    dict(
        group="vi-long", field="2.9", kind="technology_acquisition", trl_min=6,
        budget=(200_000_000, 600_000_000), coop=["license", "technical_services"], trap="price",
        need=("vi", "Cơ sở làm nước mắm truyền thống cần rút ngắn thời gian ủ chượp",
              "Làng nghề nước mắm ở Sầm Sơn ủ cá cơm với muối trong thùng gỗ từ 12 đến 18 tháng mới cho nước"
              " mắm ngon. Vốn nằm lâu, thùng chiếm nhiều chỗ. Chúng tôi muốn rút ngắn thời gian chượp xuống"
              " vài tháng mà vẫn giữ mùi vị và độ đạm, không dùng chất bảo quản, làm được trong nhà xưởng của"
              " hộ, có người chuyển giao và kiểm tra chất lượng mẻ đầu.",
              ["nước mắm", "ủ chượp", "làng nghề"]),
        solve=("vi", "Công nghệ chượp nhanh nước mắm bằng enzyme và kiểm soát nhiệt",
               "Bổ sung enzyme protease và giữ nhiệt chượp 40-45 độ C, rút thời gian ủ cá cơm còn 3-4"
               " tháng, độ đạm trên 25 g/l, giữ hương vị nước mắm truyền thống; chuyển giao cho hộ làng"
               " nghề.",
               ["nước mắm", "enzyme", "chượp nhanh"]),
        broken=("vi", "Dây chuyền sản xuất nước mắm công nghiệp lên men nhanh",
              "Trọn bộ bồn inox gia nhiệt, hệ thống enzyme và lọc tự động cho nhà máy nước mắm lên men"
              " nhanh, công suất một triệu lít mỗi năm.",
              ["nước mắm", "lên men nhanh"]),
        related=("vi", "Kiểm nghiệm độ đạm và histamine trong nước mắm",
                 "Dịch vụ phân tích độ đạm, histamine, vi sinh cho nước mắm và mắm tôm, trả kết quả trong"
                 " ba ngày.",
                 ["kiểm nghiệm", "histamine"]),
        other=("vi", "Thùng gỗ và chum sành cho làng nghề rượu",
               "Sản xuất thùng gỗ sồi, chum sành để ủ rượu cho làng nghề, giữ mùi vị truyền thống,"
               " không dùng chất bảo quản.",
               ["thùng gỗ", "rượu"], "2.11"),
    ),
    dict(
        group="vi-long", field="2.2", kind="technology_acquisition", trl_min=7,
        budget=(100_000_000, 400_000_000), coop=["equipment_sale", "technical_services"], trap="coop",
        need=("vi", "Trạm bơm của hợp tác xã cần tự bật tắt và báo mực nước từ xa",
              "Hợp tác xã dịch vụ nông nghiệp quản lý bốn trạm bơm tưới cho 300 ha lúa, công nhân phải đi"
              " lại bật tắt máy bơm cả ngày lẫn đêm, có lần quên tắt làm tràn bờ, cháy động cơ. Chúng tôi"
              " cần thiết bị đo mực nước kênh, tự bật tắt bơm theo mức cài sẵn, báo về điện thoại khi mất"
              " pha hay quá tải, lắp đặt và bảo hành tại chỗ.",
              ["trạm bơm", "mực nước", "điều khiển từ xa"]),
        solve=("vi", "Bộ điều khiển trạm bơm tưới qua điện thoại có cảm biến mực nước",
               "Tủ điều khiển gắn cảm biến siêu âm đo mực nước kênh, tự chạy và dừng máy bơm theo ngưỡng,"
               " bảo vệ mất pha, quá dòng, cảnh báo qua ứng dụng điện thoại; bán và lắp đặt, bảo hành hai"
               " năm.",
               ["trạm bơm", "cảm biến mực nước", "IoT"]),
        broken=("vi", "Hợp tác nghiên cứu hệ thống SCADA cho công trình thủy lợi",
              "Tìm đối tác cùng nghiên cứu, phát triển hệ thống giám sát mực nước và điều khiển trạm bơm,"
              " cống tưới từ xa cho công trình thủy lợi.",
              ["SCADA", "thủy lợi", "trạm bơm"]),
        related=("vi", "Bảo dưỡng và quấn lại động cơ máy bơm",
                 "Dịch vụ sửa chữa, quấn lại động cơ điện và thay phớt máy bơm trục ngang cho trạm bơm"
                 " nông nghiệp.",
                 ["động cơ", "máy bơm"]),
        other=("vi", "Cảnh báo mực nước lũ cho khu dân cư vùng trũng",
               "Trạm đo mực nước sông bằng radar, phát loa và tin nhắn điện thoại cho người dân khi nước"
               " lên quá mức cài sẵn.",
               ["cảnh báo lũ", "mực nước"], "1.5"),
    ),
    dict(
        group="vi-long", field="3.3", kind="expert_service", trl_min=None,
        budget=(30_000_000, 120_000_000), coop=["training", "technical_services"], trap="coop",
        need=("vi", "Trung tâm y tế cần người dạy và theo dõi bệnh nhân đái tháo đường tại nhà",
              "Trung tâm y tế huyện đang quản lý hơn 1.500 người bệnh đái tháo đường, nhiều người ở xa,"
              " bỏ tái khám, đường huyết không ổn định. Chúng tôi cần chuyên gia tập huấn cho y tế xã cách"
              " tư vấn ăn uống, luyện tập, theo dõi đường huyết tại nhà và lập sổ quản lý, có thể hỗ trợ từ"
              " xa qua điện thoại.",
              ["đái tháo đường", "quản lý bệnh mạn tính", "y tế xã"]),
        solve=("vi", "Tập huấn quản lý người bệnh tiểu đường tại cộng đồng cho y tế cơ sở",
               "Chuyên gia nội tiết đào tạo nhân viên y tế xã tư vấn dinh dưỡng, vận động, tự đo đường"
               " huyết, lập hồ sơ theo dõi người bệnh tiểu đường; hỗ trợ từ xa sáu tháng sau tập huấn.",
               ["tiểu đường", "y tế cơ sở", "tập huấn"]),
        broken=("vi", "Đặt hàng nghiên cứu mô hình quản lý đái tháo đường dựa vào cộng đồng",
              "Nhóm nghiên cứu nhận đặt hàng đề tài xây dựng và đánh giá mô hình quản lý người bệnh đái"
              " tháo đường tại xã, có tập huấn y tế cơ sở.",
              ["đái tháo đường", "cộng đồng"]),
        related=("vi", "Máy đo đường huyết kết nối điện thoại",
                 "Máy đo đường huyết cá nhân gửi kết quả lên ứng dụng, người nhà và bác sĩ cùng xem.",
                 ["máy đo đường huyết", "ứng dụng"]),
        other=("vi", "Tập huấn quản lý hợp tác xã và sổ sách kế toán",
               "Khóa tập huấn lập sổ sách, quản lý tài chính cho cán bộ hợp tác xã, có hỗ trợ từ xa qua"
               " điện thoại sau khóa học.",
               ["quản lý hợp tác xã", "kế toán"], "5.2"),
    ),
    dict(
        group="vi-long", field="4.1", kind="technology_acquisition", trl_min=7,
        budget=(100_000_000, 300_000_000), coop=["license", "technical_services"], trap="price",
        need=("vi", "Hợp tác xã trồng keo muốn nhân giống cây bằng mô để có cây đồng đều",
              "Hợp tác xã lâm nghiệp ở Như Xuân mỗi năm trồng mới 200 ha keo, cây giống mua ngoài không rõ"
              " nguồn, lớn không đều, nhiều cây sâu bệnh. Chúng tôi muốn tự sản xuất cây giống keo lai sạch"
              " bệnh bằng nuôi cấy mô, được chuyển giao quy trình và dòng giống đã công nhận, có người kèm"
              " cặp làm vườn ươm.",
              ["cây giống keo", "nuôi cấy mô", "vườn ươm"]),
        solve=("vi", "Chuyển giao quy trình nuôi cấy mô keo lai dòng đã công nhận",
               "Quy trình nhân giống keo lai bằng nuôi cấy mô từ các dòng được công nhận giống tiến bộ kỹ"
               " thuật, tỉ lệ sống trên 90%, cây đồng đều, sạch bệnh; hướng dẫn lập phòng cấy và vườn ươm"
               " cho hợp tác xã.",
               ["keo lai", "nuôi cấy mô", "giống cây lâm nghiệp"]),
        broken=("vi", "Phòng nuôi cấy mô thực vật trọn gói cho doanh nghiệp giống",
              "Thiết kế, cung cấp thiết bị và chuyển giao công nghệ phòng nuôi cấy mô quy mô một triệu cây"
              " giống mỗi năm, gồm keo, bạch đàn và hoa.",
              ["nuôi cấy mô", "cây giống"]),
        related=("vi", "Kỹ thuật trồng rừng keo gỗ lớn",
                 "Hướng dẫn mật độ trồng, tỉa thưa và bón phân để rừng keo cho gỗ xẻ sau 10 năm.",
                 ["rừng keo", "gỗ lớn"]),
        other=("vi", "Nuôi cấy tế bào gốc trong điều trị",
               "Quy trình nuôi cấy và nhân tế bào gốc trung mô trong phòng sạch cho điều trị, đồng đều,"
               " sạch vi sinh.",
               ["tế bào gốc", "nuôi cấy"], "3.4"),
    ),
    # --- Vietnamese typed without diacritics ----------------------------------------------
    dict(
        group="vi-unaccented", field="4.2", kind="technology_acquisition", trl_min=6,
        budget=(50_000_000, 150_000_000), coop=["technical_services", "training"], trap="trl",
        need=("vi", "Can cach u thuc an cho bo tu rom va than cay ngo",
              "Ho chan nuoi chung toi co 40 con bo, mua kho thieu co, rom va than cay ngo sau thu hoach de"
              " thoi. Muon biet cach u chua hoac u men de bo an duoc quanh nam, giam tien mua cam.",
              ["u chua", "thuc an cho bo", "rom"]),
        solve=("vi", "Kỹ thuật ủ chua thân cây ngô và rơm làm thức ăn cho bò",
               "Ủ chua thân cây ngô, rơm với rỉ mật và men vi sinh trong túi nilon hoặc hố ủ, bảo quản"
               " sáu tháng, bò ăn tốt, giảm 30% chi phí thức ăn tinh; tập huấn cho hộ chăn nuôi.",
               ["ủ chua", "thức ăn thô", "bò"]),
        broken=("vi", "Men vi sinh mới ủ phụ phẩm nông nghiệp làm thức ăn gia súc",
              "Chủng men mới phân giải xơ rơm rạ, thân ngô làm thức ăn cho trâu bò, đang đánh giá trong"
              " phòng thí nghiệm.",
              ["men vi sinh", "phụ phẩm"]),
        related=("vi", "Giống cỏ voi năng suất cao cho bò", "Giống cỏ VA06 cho 250 tấn/ha/năm, trồng"
                 " một lần cắt nhiều năm làm thức ăn xanh cho bò.",
                 ["cỏ voi", "thức ăn xanh"]),
        other=("vi", "Máy cuộn rơm tại ruộng", "Máy cuộn rơm thành kiện tròn sau máy gặt đập, 60"
               " kiện/giờ, bán rơm cho trại nấm và nhà máy giấy.",
               ["cuộn rơm", "máy nông nghiệp"], "2.3"),
    ),
    dict(
        group="vi-unaccented", field="2.7", kind="technology_acquisition", trl_min=6,
        budget=(100_000_000, 350_000_000), coop=["equipment_sale", "technical_services"], trap="price",
        need=("vi", "Loc nuoc gieng khoan bi nhiem asen cho truong hoc",
              "Truong tieu hoc o vung ban son dung nuoc gieng khoan, xet nghiem thay asen va sat vuot"
              " muc cho phep. Can he thong loc cho 500 hoc sinh uong, de van hanh, thay vat lieu re.",
              ["loc nuoc", "asen", "gieng khoan"]),
        solve=("vi", "Hệ thống lọc asen và sắt cho nước giếng khoan trường học",
               "Cột lọc oxy hóa khử sắt và vật liệu hấp phụ asen, công suất 2 m3/giờ, đạt quy chuẩn nước"
               " ăn uống, thay vật liệu mỗi năm; bán và lắp đặt cho trường học, trạm y tế.",
               ["lọc asen", "nước giếng khoan", "khử sắt"]),
        broken=("vi", "Trạm xử lý nước sạch tập trung cho cụm dân cư",
              "Trạm cấp nước 200 m3/giờ khử asen, sắt, mangan cho nước ngầm, gồm bể lắng, lọc và khử"
              " trùng, đầu tư trọn gói.",
              ["cấp nước", "khử asen"]),
        related=("vi", "Bộ thử nhanh asen trong nước", "Bộ kit thử nhanh asen tại hiện trường, đọc kết"
                 " quả sau 15 phút bằng thang màu.",
                 ["thử nhanh", "asen"]),
        other=("vi", "Khoan giếng lấy nước tưới cho vùng đồi", "Dịch vụ khảo sát và khoan giếng sâu"
               " lấy nước tưới cây ăn quả vùng bán sơn địa.",
               ["khoan giếng", "nước tưới"], "1.5"),
    ),
    dict(
        group="vi-unaccented", field="4.1", kind="technology_acquisition", trl_min=7,
        budget=None, coop=["license", "technical_services"], trap="coop",
        need=("vi", "Tim giong lac nang suat cao chiu han cho dat cat ven bien",
              "Hop tac xa co 80 ha dat cat pha o Quang Xuong, trong lac nhung nang suat thap, hay bi chet"
              " heo. Can giong lac moi chiu han, it benh, duoc cap giong va huong dan ky thuat.",
              ["giong lac", "chiu han", "dat cat"]),
        solve=("vi", "Giống lạc chịu hạn, kháng bệnh héo xanh cho đất cát",
               "Giống lạc năng suất 4 tấn/ha, chịu hạn, kháng bệnh héo xanh vi khuẩn, phù hợp đất cát"
               " pha ven biển; cấp phép nhân giống và hướng dẫn kỹ thuật thâm canh.",
               ["giống lạc", "héo xanh", "chịu hạn"]),
        broken=("vi", "Góp vốn phát triển vùng nguyên liệu lạc giống mới",
              "Đơn vị giữ bản quyền giống lạc chịu hạn muốn góp vốn cùng doanh nghiệp lập vùng nguyên"
              " liệu lạc trên đất cát ven biển.",
              ["giống lạc", "vùng nguyên liệu"]),
        related=("vi", "Máy bóc vỏ lạc cho hộ gia đình", "Máy bóc vỏ lạc 300 kg/giờ, ít vỡ hạt, chạy"
                 " điện một pha.",
                 ["bóc vỏ lạc"]),
        other=("vi", "Chắn cát bay bằng rừng phi lao ven biển", "Kỹ thuật trồng đai rừng phi lao chống"
               " cát bay, giữ đất cát ven biển, chịu hạn và gió mặn.",
               ["phi lao", "cát bay"], "4.5"),
    ),
    dict(
        group="vi-unaccented", field="3.2", kind="expert_service", trl_min=None,
        budget=(20_000_000, 80_000_000), coop=["training", "technical_services"], trap="coop",
        need=("vi", "Benh vien can dao tao dieu duong cham soc vet thuong mat dai thao duong",
              "Khoa noi benh vien co nhieu nguoi benh loet ban chan do dai thao duong, vet thuong lau"
              " lanh, co ca phai cat cut. Can chuyen gia dao tao dieu duong thay bang, danh gia va cham soc"
              " vet loet ban chan.",
              ["loet ban chan", "dieu duong", "cham soc vet thuong"]),
        solve=("vi", "Đào tạo điều dưỡng chăm sóc loét bàn chân người bệnh đái tháo đường",
               "Khóa đào tạo thực hành đánh giá, cắt lọc, thay băng và giảm áp vết loét bàn chân do đái"
               " tháo đường cho điều dưỡng khoa nội, hỗ trợ kỹ thuật sau đào tạo.",
               ["loét bàn chân", "điều dưỡng", "thay băng"]),
        broken=("vi", "Chuyển nhượng quy trình điều trị vết thương mạn tính bằng huyết tương giàu tiểu cầu",
              "Chuyển nhượng toàn bộ quy trình dùng huyết tương giàu tiểu cầu làm lành vết loét bàn chân"
              " đái tháo đường, có đào tạo bác sĩ và điều dưỡng.",
              ["vết thương mạn tính", "tiểu cầu"]),
        related=("vi", "Băng gạc sinh học từ chitosan", "Băng vết thương chitosan kháng khuẩn, giữ ẩm,"
                 " dùng cho vết bỏng và vết mổ.",
                 ["băng gạc", "chitosan"]),
        other=("vi", "Đào tạo chăm sóc và cắt tỉa cây cảnh", "Khóa học thực hành tạo dáng, cắt tỉa và"
               " chăm sóc bonsai cho hội sinh vật cảnh.",
               ["cây cảnh", "cắt tỉa"], "4.5"),
    ),
    # --- English needs (most offers are Vietnamese) ---------------------------------------
    dict(
        group="en", field="4.1", kind="technology_acquisition", trl_min=7,
        budget=(100_000_000, 500_000_000), coop=["license", "technical_services"], trap="trl",
        need=("en", "Drip irrigation and fertigation for a sugarcane plantation",
              "Our company grows sugarcane on 400 hectares of hilly land in Thanh Hoa. Yields drop in dry"
              " years and fertilizer is wasted by surface application. We are looking for a drip irrigation"
              " and fertigation system with sensors that schedule watering, installed and supported locally.",
              ["drip irrigation", "fertigation", "sugarcane"]),
        solve=("vi", "Hệ thống tưới nhỏ giọt kết hợp bón phân cho mía vùng đồi",
               "Tưới nhỏ giọt và bón phân qua nước cho mía trên đất đồi, cảm biến độ ẩm đất tự lên lịch"
               " tưới, tăng năng suất 30%, tiết kiệm 40% phân bón; lắp đặt và hỗ trợ kỹ thuật tại chỗ.",
               ["tưới nhỏ giọt", "bón phân qua nước", "mía"]),
        broken=("en", "Soil moisture sensing prototype for smart drip irrigation",
              "A laboratory prototype of low-cost soil moisture sensors that schedule drip irrigation and"
              " fertigation, tested on experimental plots only.",
              ["soil moisture", "drip irrigation"]),
        related=("vi", "Giống mía chịu hạn chữ đường cao", "Giống mía năng suất 100 tấn/ha, chịu hạn,"
                 " chữ đường trên 11 CCS cho vùng đồi.",
                 ["giống mía", "chịu hạn"]),
        other=("en", "Irrigation scheduling software for golf courses",
               "Software that schedules sprinkler irrigation on golf courses from weather data, with sensors"
               " and local support.",
               ["irrigation scheduling", "golf"], "1.2"),
    ),
    dict(
        group="en", field="2.4", kind="technology_acquisition", trl_min=6,
        budget=(300_000_000, 1_000_000_000), coop=["license", "technical_services"], trap="price",
        need=("en", "Turning cassava peel and pulp into animal feed or fuel",
              "We run a cassava starch factory producing about 60 tonnes of wet peel and pulp per day. It is"
              " dumped, smells and pollutes a stream. We need a process that dries or ferments this waste into"
              " animal feed or fuel pellets at our site.",
              ["cassava", "starch waste", "pellets"]),
        solve=("vi", "Xử lý bã sắn thành thức ăn chăn nuôi lên men",
               "Lên men bã và vỏ sắn bằng men vi sinh, sấy và ép viên làm thức ăn chăn nuôi, xử lý 50 tấn"
               " bã ướt mỗi ngày tại nhà máy tinh bột sắn, hết mùi hôi.",
               ["bã sắn", "tinh bột sắn", "thức ăn chăn nuôi"]),
        broken=("vi", "Nhà máy viên nén nhiên liệu sinh khối từ phụ phẩm nông nghiệp",
              "Dây chuyền sấy và ép viên nhiên liệu từ bã sắn, trấu, mùn cưa công suất 10 tấn/giờ, đầu tư"
              " trọn gói kèm lò hơi.",
              ["viên nén", "sinh khối", "bã sắn"]),
        related=("en", "Cassava varieties with high starch content",
                 "New cassava varieties with 30% starch and resistance to mosaic disease.",
                 ["cassava", "variety"]),
        other=("en", "Wood pellet stoves for households",
               "Efficient household stoves burning wood pellets with low smoke, made for rural kitchens.",
               ["pellets", "stove"], "2.3"),
    ),
    dict(
        group="en", field="3.4", kind="technology_acquisition", trl_min=7,
        budget=(50_000_000, 300_000_000), coop=["license", "training"], trap="coop",
        need=("en", "Rapid test for dengue at commune health stations",
              "Our provincial health department wants commune health stations to confirm dengue fever early"
              " during outbreaks instead of sending samples to the city. We need a rapid test kit with"
              " training for station staff.",
              ["dengue", "rapid test", "commune health station"]),
        solve=("vi", "Bộ kit xét nghiệm nhanh sốt xuất huyết Dengue NS1",
               "Que thử nhanh kháng nguyên NS1 phát hiện sốt xuất huyết Dengue trong 15 phút từ máu toàn"
               " phần, dùng tại trạm y tế xã; cấp phép sản xuất và đào tạo nhân viên.",
               ["sốt xuất huyết", "xét nghiệm nhanh", "NS1"]),
        broken=("en", "Joint venture to manufacture dengue diagnostic kits",
              "Partner sought for a joint venture manufacturing NS1 rapid tests for dengue for health"
              " stations in the region.",
              ["dengue", "diagnostic kits"]),
        related=("vi", "Bẫy muỗi sinh học phòng sốt xuất huyết", "Bẫy trứng muỗi vằn và chế phẩm"
                 " sinh học diệt bọ gậy cho khu dân cư.",
                 ["muỗi vằn", "bọ gậy"]),
        other=("en", "Rapid soil test kit for farmers",
               "A rapid test kit measuring soil pH and nitrogen in the field, with training for extension"
               " staff.",
               ["soil test", "rapid test"], "4.5"),
    ),
    dict(
        group="en", field="2.3", kind="technology_acquisition", trl_min=7,
        budget=(200_000_000, 700_000_000), coop=["equipment_sale", "technical_services"], trap="trl",
        need=("en", "Rice straw baling and mushroom growing to stop field burning",
              "After every harvest farmers in our district burn rice straw in the fields and the smoke covers"
              " the highway. The district wants machines to collect and bale the straw and a way for"
              " cooperatives to grow mushrooms on it.",
              ["rice straw", "baling", "mushrooms"]),
        solve=("vi", "Máy cuộn rơm và quy trình trồng nấm rơm từ rơm cuộn",
               "Máy cuộn rơm liên hợp sau máy gặt, 60 cuộn/giờ, kèm quy trình trồng nấm rơm, nấm sò trên"
               " rơm cuộn cho hợp tác xã, giảm đốt rơm ngoài đồng.",
               ["cuộn rơm", "nấm rơm", "đốt rơm"]),
        broken=("en", "Experimental straw collector for small fields",
              "A first prototype of a walking straw collector and baler for small rice fields, tested on"
              " two hectares.",
              ["straw collector", "baler"]),
        related=("vi", "Chế phẩm vi sinh phân hủy rơm rạ tại ruộng", "Phun chế phẩm vi sinh lên gốc rạ"
                 " để rơm phân hủy sau 20 ngày thay cho đốt.",
                 ["phân hủy rơm", "vi sinh"]),
        other=("en", "Highway smoke and fog warning signs",
               "Electronic signs warning drivers of smoke and fog on highways, fed by visibility sensors.",
               ["highway", "smoke"], "2.2"),
    ),
    # --- Vietnamese needs whose best offer is written in English ---------------------------
    dict(
        group="vi-to-en", field="2.8", kind="technology_acquisition", trl_min=6,
        budget=(200_000_000, 800_000_000), coop=["license", "technical_services"], trap="price",
        need=("vi", "Xử lý nước thải chế biến thủy sản giàu đạm và dầu mỡ",
              "Xưởng chế biến tôm cá đông lạnh thải 300 m3 nước mỗi ngày, nhiều đạm, mỡ và mùi tanh, hệ"
              " thống hiện tại quá tải. Cần công nghệ sinh học xử lý đạt chuẩn xả thải, có hỗ trợ vận hành.",
              ["nước thải thủy sản", "dầu mỡ", "xử lý sinh học"]),
        solve=("en", "Anaerobic and MBBR treatment of seafood processing wastewater",
               "Fat and protein rich wastewater from shrimp and fish processing is treated by a dissolved air"
               " flotation step, an anaerobic reactor and moving bed biofilm reactors, meeting discharge"
               " standards at 200-500 m3 per day, with operation support.",
               ["seafood wastewater", "MBBR", "anaerobic"]),
        broken=("en", "Complete wastewater plant for industrial seafood parks",
              "Design and build of centralised treatment plants for seafood processing parks, 5,000 m3 per"
              " day, turnkey with ten years of operation.",
              ["seafood wastewater", "turnkey plant"]),
        related=("vi", "Thu hồi dầu cá từ phụ phẩm chế biến", "Quy trình thủy phân đầu, da cá để thu"
                 " dầu cá và bột đạm.",
                 ["dầu cá", "phụ phẩm"]),
        other=("vi", "Khử mùi tanh cho xưởng chế biến bằng ozone", "Máy tạo ozone khử mùi tanh trong"
               " xưởng và kho lạnh chế biến tôm cá.",
               ["khử mùi", "ozone"], "2.2"),
    ),
    dict(
        group="vi-to-en", field="2.2", kind="technology_acquisition", trl_min=7,
        budget=(100_000_000, 400_000_000), coop=["equipment_sale", "license"], trap="coop",
        need=("vi", "Điện mặt trời cho trạm bơm tưới không có lưới điện",
              "Cánh đồng màu của xã ở xa đường dây điện, bà con phải chạy máy bơm dầu rất tốn kém. Cần hệ"
              " thống bơm nước chạy bằng pin mặt trời công suất vừa, bền, dễ sửa.",
              ["bơm năng lượng mặt trời", "tưới", "pin mặt trời"]),
        solve=("en", "Solar photovoltaic irrigation pumps for off-grid fields",
               "Solar PV pumping kits of 2 to 7.5 kW with variable frequency drives lift water for irrigation"
               " without grid power or diesel; sold with installation and a five-year warranty.",
               ["solar pump", "irrigation", "off-grid"]),
        broken=("en", "R&D partnership on solar pumping with water storage",
              "Seeking research partners to co-develop solar irrigation pumping with elevated water storage"
              " for off-grid fields.",
              ["solar pumping", "research partnership"]),
        related=("vi", "Hệ thống điện mặt trời áp mái cho hộ gia đình", "Điện mặt trời áp mái 5 kWp"
                 " hòa lưới cho hộ gia đình, lắp đặt trọn gói.",
                 ["điện mặt trời áp mái"]),
        other=("en", "Solar dryers for fruit and vegetables",
               "Greenhouse solar dryers for mango, banana and vegetables, easy to repair, sold with"
               " installation.",
               ["solar dryer"], "2.3"),
    ),
    dict(
        group="vi-to-en", field="1.2", kind="technology_acquisition", trl_min=7,
        budget=(150_000_000, 500_000_000), coop=["license", "technical_services"], trap="trl",
        need=("vi", "Truy xuất nguồn gốc cho sản phẩm OCOP của hợp tác xã",
              "Các hợp tác xã có sản phẩm OCOP như mật ong, nem chua, chè cần tem truy xuất để siêu thị và"
              " khách hàng quét mã biết nơi sản xuất, lô hàng, ngày thu hoạch. Cần phần mềm và tem, dễ dùng"
              " cho người lớn tuổi.",
              ["truy xuất nguồn gốc", "OCOP", "tem QR"]),
        solve=("en", "QR code traceability platform for farm products",
               "A cloud platform and printed QR labels that record farm, batch, harvest and processing dates"
               " for honey, tea and food products; buyers scan with any phone. Licensed with setup support.",
               ["traceability", "QR code", "farm products"]),
        broken=("en", "Blockchain traceability pilot for agricultural supply chains",
              "A research pilot of blockchain records for batches of agricultural products, tested with one"
              " cooperative.",
              ["blockchain", "traceability"]),
        related=("vi", "Thiết kế bao bì và nhãn cho sản phẩm OCOP", "Dịch vụ thiết kế bao bì, nhãn"
                 " mác, câu chuyện sản phẩm cho hồ sơ OCOP.",
                 ["bao bì", "OCOP"]),
        other=("en", "QR code payments for market stalls",
               "QR payment terminals and an app for market stall keepers, easy to use for elderly sellers.",
               ["QR payments"], "5.2"),
    ),
    dict(
        group="vi-to-en", field="4.3", kind="expert_service", trl_min=None,
        budget=(30_000_000, 150_000_000), coop=["training", "technical_services"], trap="coop",
        need=("vi", "Hợp tác xã nuôi lợn cần chuyên gia kiểm soát dịch tả lợn châu Phi",
              "Các hộ trong hợp tác xã nuôi lợn liên tiếp mất đàn vì dịch tả lợn châu Phi. Cần chuyên gia"
              " đánh giá trại, hướng dẫn an toàn sinh học, sát trùng, quản lý người ra vào và giám sát dịch.",
              ["dịch tả lợn châu Phi", "an toàn sinh học", "chăn nuôi lợn"]),
        solve=("en", "African swine fever biosecurity audits and farm training",
               "Veterinary experts audit pig farms, design biosecurity zones, disinfection and visitor"
               " control, and train farm staff in African swine fever surveillance; follow-up support.",
               ["African swine fever", "biosecurity", "pig farms"]),
        broken=("en", "Contract research on African swine fever vaccine field trials",
              "Contract research on field trials of candidate African swine fever vaccines in pig farms,"
              " with biosecurity monitoring.",
              ["vaccine trials", "African swine fever"]),
        related=("vi", "Chế phẩm sát trùng chuồng trại", "Dung dịch sát trùng phổ rộng cho chuồng"
                 " lợn, gà, an toàn cho vật nuôi.",
                 ["sát trùng", "chuồng trại"]),
        other=("en", "Pig manure biogas digesters",
               "Composite biogas digesters for pig farms turning manure into cooking gas, with training.",
               ["biogas", "pig farms"], "2.7"),
    ),
]
