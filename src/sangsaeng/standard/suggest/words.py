"""The words factory files use for the standard's fields and codes — Korean, English, Hanja and the mixed spellings
of MES/ERP/SPC exports and hand-kept sheets — as plain data.

Spellings are compared after normalising (NFKC, case, spaces and punctuation removed: "Part No." = "partno",
"Q'ty" = "qty", "P/N" = "pn"), so each is written here once, the way people write it. A field's own name
("inspected_at") always matches, exactly. Fields an entity does not have are ignored: listing the fields the model
grows into (sample, nominal, shift …) costs nothing before they exist.
"""

from __future__ import annotations

from sangsaeng.standard.cells import NO_VALUE as DEFAULT_MARKERS


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """``field: word word …`` lines (indented lines continue the one above) as {field: words}."""
    table: dict[str, tuple[str, ...]] = {}
    field = ""
    for line in text.strip().splitlines():
        if not line.startswith(" "):
            field, line = line.split(":", 1)
        table[field] = table.get(field, ()) + tuple(line.split())
    return table


def _codes(text: str) -> dict[str, dict[str, str]]:
    """``field: written=code …`` lines as {field: {written: code}}."""
    return {field: dict(pair.split("=", 1) for pair in pairs) for field, pairs in _table(text).items()}


# Strong: a header that is one of these names the field.
SYNONYMS = _table(
    """
subject: 로트번호 로트 로트no lot lotno lotnumber lotid batch batchno 배치번호 시리얼 시리얼번호
    시리얼no 일련번호 serial serialno serialnumber sn s/n 제품번호 관리번호 바코드 barcode 바코드번호
lot: 로트번호 로트 로트no lot lotno lotnumber lotid batch batchno 배치번호 모로트
characteristic: 검사항목 측정항목 항목 항목명 특성 품질특성 검사내용 측정부위 characteristic item
    inspectionitem checkitem parameter feature featurename 檢査項目 検査項目 測定項目
inspected_at: 검사일자 검사일시 검사일 검사날짜 측정일 측정일자 측정일시 일자 날짜 inspectiondate inspectedat
    date inspectiontime inspecttime inspectdate measuredat measuredate measuretime measurementtime 檢査日 検査日
    檢査日字 檢査日時 測定日 測定日時
value: 측정값 측정치 측정 실측값 실측치 실측 검사값 결과값 값 value measured measuredvalue measurement
    actual 測定値 測定值 實測値 実測値
lower_spec_limit: 하한 하한값 하한치 하한규격 규격하한 lsl lowerlimit lowerspeclimit lowerspec
    min minimum 최소 최소값 下限 規格下限
upper_spec_limit: 상한 상한값 상한치 상한규격 규격상한 usl upperlimit upperspeclimit upperspec
    max maximum 최대 최대값 上限 規格上限
nominal: 공칭 공칭값 공칭치수 기준값 기준치 기준치수 규격값 목표값 설계값 도면치수 nominal nominalvalue target
    基準値 公稱 公称
sample: 시료번호 시료 시료no 샘플 샘플번호 n sample sampleno samplenumber 試料 試料番號 試料番号
passed: 판정 합부 합부판정 합격여부 판정결과 결과 검사결과 result judgement judgment judge pass
    passfail passed okng 判定 合否 合否判定
disposition: 처리 처리구분 처리결과 조치 조치내용 처분 최종판정 disposition 處理 處置
equipment: 설비 설비명 설비번호 설비코드 설비no 호기 기계 기계번호 장비 장비명 machine machineno machineid
    equipment equipmentid 設備 號機 号機
signal: 신호 태그 태그명 signal tag tagname channel 채널 point
timestamp: 시각 일시 측정시각 수집시각 수집일시 timestamp time datetime 日時
order: 작업지시 작업지시번호 지시번호 작지번호 작업번호 오더 오더번호 order orderno workorder workorderno wo
    作業指示
planned_time: 계획시간 부하시간 계획가동시간 plannedtime loadingtime
run_time: 가동시간 실가동시간 운전시간 runtime operatingtime 稼動時間
downtime: 비가동시간 정지시간 비가동 고장시간 downtime stoptime
total_count: 생산수량 총생산 총생산수량 생산량 투입수량 실적수량 생산실적 totalcount produced output 生産數量
    生産数量
good_count: 양품수량 양품 양품수 합격수량 goodcount good goodqty 良品數量 良品数量 良品
defect_count: 불량수량 불량 불량수 불량개수 defectcount defects defectqty ng수량 ngqty
    rejectqty 不良數量 不良数量 不良
ideal_cycle_time: 표준사이클타임 이론사이클타임 사이클타임 표준ct 기준ct ct c/t cycletime
    idealcycletime st
shift: 근무조 교대 교대조 작업조 주야 주/야 주야간 shift 勤務組
started_at: 시작시각 시작시간 시작일시 작업시작 작업시작시각 개시 starttime startedat begin
ended_at: 종료시각 종료시간 종료일시 작업종료 작업종료시각 완료시각 endtime endedat finish
cavities: 캐비티 캐비티수 캐비티수량 cavity cavities cav 취수
consumer: 사업장 공장 사업소 site plant consumer meter 계량기 건물 building 事業場 工場
period_start: 시작 시작일 시작일자 기간시작 from start periodstart 년월 연월 월 사용월 사용년월 기준월 해당월
    month yearmonth 年月
period_end: 종료 종료일 종료일자 기간종료 끝 to end periodend 마감일
carrier: 에너지원 에너지종류 에너지구분 연료 연료종류 carrier energytype energysource fuel 燃料
amount: 사용량 전력량 전력사용량 가스사용량 에너지사용량 소비량 사용실적 amount consumption usage energy 使用量
    電力量
emission_factor: 배출계수 온실가스배출계수 emissionfactor ef co2계수
calorific_factor: 발열량 열량계수 환산계수 순발열량 총발열량 calorificvalue heatingvalue ncv gcv
    發熱量
estimated: 추정 추정여부 추정구분 추정값 추정치 estimated estimate 推定
part_type: 품번 품목코드 품목번호 부품번호 자재코드 자재번호 파트넘버 partno partnumber pn part itemcode
    itemno material materialno 品番 品號 部品番號 部品番号
manufacturer_part_id: 품번 제조사품번 자사품번 partno partnumber pn 品番 品號
customer_part_id: 고객품번 고객사품번 납품처품번 고객부품번호 customerpartno customerpartnumber custpn 客先品番
    顧客品番 顧客品號 客戶品番
classification: 분류 분류코드 품목분류 classification eclass 分類
name: 품명 부품명 제품명 품목명 name partname itemname productname 品名 회사명 업체명
kind: 구분 유형 kind type
local_id: 로트번호 시리얼번호 일련번호 lotno serialno serialnumber batchno
production_date: 생산일자 생산일 제조일자 제조일 productiondate manufacturedate mfgdate 生産日
    製造日
site: 사업장 공장 site plant 工場
parent: 모품번 상위품번 상위 모부품 parent
child: 자품번 하위품번 하위 자부품 child component
quantity: 수량 소요량 요청수량 계획수량 예상수량 수요량 quantity qty 數量 数量
buyer: 고객사 구매사 납품처 거래처 buyer customer 客先
firmness: 확정구분 확정여부 firmness
manufacturer: 제조사 메이커 maker manufacturer
model: 모델 모델명 형식 model
serial_number: 제조번호 시리얼번호 serialnumber serialno
quality: 품질 quality
id: pcfid 탄소발자국id pfid footprintid productfootprintid
product_ids: 품번 품목코드 품목번호 제품코드 제품번호 부품번호 자재코드 partno partnumber pn productid productids
    productcode productno itemcode itemno materialno 제품urn producturn 品番 品號
product_name: 제품명 품명 품목명 부품명 제품 productname itemname partname tradename product productnamecompany
    品名
product_description: 제품설명 제품개요 품목설명 설명 productdescription description
pcf_excluding_biogenic: 탄소발자국 제품탄소발자국 제품탄소배출량 탄소배출량 pcf cfp pcfvalue carbonfootprint
    productcarbonfootprint pcfexcludingbiogenic pcfexcludingbiogenicuptake pcfexclbiogenic
    cradletogatepcf
pcf_including_biogenic: 생물기원포함 생물기원포함pcf 생물기원포함탄소발자국 pcfincludingbiogenic
    pcfincludingbiogenicuptake pcfinclbiogenic includingbiogenic
fossil_ghg_emissions: 화석 화석배출량 화석배출 화석온실가스 화석연료배출량 화석기원배출량 fossil
    fossilghgemissions fossilemissions fossilghg
fossil_carbon_content: 화석탄소 화석탄소함량 fossilcarboncontent fossilcarbon
biogenic_carbon_content: 생물기원탄소 생물기원탄소함량 biogeniccarboncontent biogeniccarbon
reference_period_start: 기준기간 산정기간 보고기간 대상기간 referenceperiod referenceperiodstart reportingperiod
    periodfrom
reference_period_end: referenceperiodend periodto
packaging_emissions_included: 포장 포장포함 포장포함여부 포장배출포함 packaging packagingincluded
    packagingemissionsincluded includespackaging
packaging_ghg_emissions: 포장배출량 포장배출 packagingemissions packagingghgemissions
primary_data_share: 1차데이터비율 1차데이터 일차데이터비율 1차데이터비중 primarydatashare primarydata pds
product_mass_per_declared_unit: 제품중량 중량 제품무게 단위당중량 productmass productweight mass weight netweight
    productmassperdeclaredunit
comment: 비고 메모 참고 특이사항 remark remarks comment comments note notes
declared_unit: 기준단위 기능단위 선언단위 declaredunit functionalunit declaredunitofmeasurement unitofanalysis
declared_amount: 기준수량 기준량 기능단위수량 declaredamount declaredunitamount unitaryproductamount
company_name: 회사명 업체명 기업명 공급사 공급사명 companyname supplier suppliername
company_ids: 회사id 기업id companyid companyids supplierid
geography: 생산국 국가 지역 생산지 country geography region countryofproduction
cross_sectoral_standards: 산정기준 산정표준 적용표준 적용기준 표준 방법론 standard standards methodology
    crosssectoralstandards crosssectoralstandardsused
ipcc_characterization_factors: ipcc ipcc보고서 특성화계수 gwp기준 gwp characterizationfactors
    ipcccharacterizationfactors ipccar
exempted_emissions_percent: 제외비율 제외배출비율 제외배출 cutoff cutoff비율 exemptedemissions
    exemptedemissionspercent
exempted_emissions_description: 제외사유 제외배출사유 제외배출설명 exemptedemissionsdescription
    cutoffdescription
boundary_processes_description: 시스템경계 산정범위 경계 systemboundary boundary boundaryprocesses
    boundaryprocessesdescription
allocation_rules_description: 할당기준 할당규칙 할당방법 allocation allocationrules allocationrulesdescription
product_category_cpc: cpc cpc코드 uncpc productcategorycpc
"""
)

# Weak: these name the field only when the values agree (구분 holds the carrier in many energy sheets).
WEAK = _table(
    """
carrier: 구분 종류 type 항목
firmness: 구분 status 상태
consumer: 설비 라인 line
equipment: 라인 line 공정
period_start: 기간 일자 날짜 date 일시
timestamp: 시간 일자 date
total_count: 수량 qty 數量 数量
inspected_at: 일시 시각 time 시간
subject: no 번호
started_at: 시작 start
ended_at: 종료 end
"""
)

# The codes of the standard's literal fields as files write them (compared after normalising like headers).
CODES = _codes(
    """
carrier: 전기=electricity 전력=electricity 전력량=electricity electricity=electricity
    electric=electricity power=electricity 電力=electricity 電氣=electricity
    도시가스=lng 천연가스=lng lng=lng ng=lng 가스=lng lng가스=lng lpg=lpg 프로판=lpg 경유=diesel
    디젤=diesel diesel=diesel 輕油=diesel 스팀=steam 증기=steam steam=steam 蒸氣=steam
    등유=other 중유=other 휘발유=other 벙커c유=other bc유=other 기타=other other=other
firmness: 확정=firm firm=firm 예상=forecast 예측=forecast 내시=forecast 계획=forecast
    forecast=forecast
kind: 시리얼=serial 개별=serial serial=serial 로트=batch 배치=batch lot=batch batch=batch
disposition: 합격=accept 승인=accept accept=accept 불합격=reject 폐기=reject
    reject=reject 재작업=rework 수정=rework 수리=rework rework=rework 재검=reinspect
    재검사=reinspect reinspect=reinspect 특채=concession 특별채용=concession
    조건부합격=concession concession=concession
quality: 양호=good 정상=good good=good 불량=bad 이상=bad bad=bad 주의=uncertain
    uncertain=uncertain
lifecycle: 실적=as-built as-built=as-built asbuilt=as-built 계획=as-planned
    as-planned=as-planned asplanned=as-planned
size_class: 대기업=large 중견=mid 중견기업=mid 중소=sme 중소기업=sme
calorific_basis: 총발열량=gross gross=gross gcv=gross hhv=gross 순발열량=net net=net
    ncv=net lhv=net
shift: 주간=day 야간=night 주=day 야=night day=day night=night
"""
)

# Pass/fail as inspection sheets write it, each with its counterpart (a sample without a failure still gets the
# word for one). Disposition words (재검, 특채, 재작업, 보류) are not read as pass or fail: a person declares them.
PASS_FAIL = tuple(
    tuple(pair.split("/"))
    for pair in "합격/불합격 적합/부적합 양호/불량 양품/불량 OK/NG G/NG ○/× ◯/× 〇/× O/X Pass/Fail "
    "Y/N Yes/No 예/아니오 true/false".split()
)
# For the estimated flag: 추정 (estimated) is true, 실측 (metered) false.
ESTIMATE_WORDS = {"추정": True, "추정치": True, "추정값": True, "실측": False, "실측치": False, "계량": False}

# Cells that mean "no value": the reading's own default markers, compared casefolded.
NO_VALUE = frozenset(marker.casefold() for marker in DEFAULT_MARKERS)

# Headers of a column holding each row's unit.
UNIT_HEADERS = frozenset({"단위", "unit", "units", "uom", "単位", "單位"})

# Words of a sheet's name or title that name one energy carrier ("전력 사용량") or the firmness of a forecast.
TITLE_CODES = _codes(
    """
carrier: 전력=electricity 전기=electricity electricity=electricity 도시가스=lng 천연가스=lng lng=lng lpg=lpg
    경유=diesel 디젤=diesel 스팀=steam 증기=steam
firmness: 확정=firm firm=firm 내시=forecast 예상=forecast 예측=forecast forecast=forecast
"""
)

# Names of the unpivot's new columns, by what the wide columns hold, and of its value column by entity.
NEW_NAME = {
    "months": "월",
    "dates": "일자",
    "carriers": "에너지원",
    "characteristics": "검사항목",
    "samples": "시료번호",
}
NEW_VALUE = {"energy_record": "사용량", "demand_forecast": "수량", "quality_result": "측정값", "measurement": "값"}
