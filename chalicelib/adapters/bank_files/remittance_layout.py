"""Positions of the CNAB 240 remittance records (FEBRABAN v08.3, 3.2.2 Títulos em Cobrança),
shared by the writer and the reader so the two cannot drift apart."""
from chalicelib.adapters.bank_files.fields import Field

# File header (registro 0)
H_DOCUMENT_TYPE = Field(18, 18, "tipo de inscrição da empresa")
H_DOCUMENT = Field(19, 32, "número de inscrição da empresa")
H_AGREEMENT = Field(33, 52, "código do convênio")
H_AGENCY = Field(53, 57, "agência")
H_AGENCY_DIGIT = Field(58, 58, "dígito da agência")
H_ACCOUNT = Field(59, 70, "conta corrente")
H_ACCOUNT_DIGIT = Field(71, 71, "dígito da conta")
H_NAME = Field(73, 102, "nome da empresa")
H_BANK_NAME = Field(103, 132, "nome do banco")
H_FILE_KIND = Field(143, 143, "código remessa/retorno")
H_DATE = Field(144, 151, "data de geração")
H_TIME = Field(152, 157, "hora de geração")
H_SEQUENCE = Field(158, 163, "número sequencial do arquivo")
H_VERSION = Field(164, 166, "versão do layout do arquivo")
H_DENSITY = Field(167, 171, "densidade de gravação")

# Lot header (registro 1)
L_OPERATION = Field(9, 9, "tipo de operação")
L_SERVICE = Field(10, 11, "tipo de serviço")
L_VERSION = Field(14, 16, "versão do layout do lote")
L_DOCUMENT_TYPE = Field(18, 18, "tipo de inscrição da empresa")
L_DOCUMENT = Field(19, 33, "número de inscrição da empresa")
L_AGREEMENT = Field(34, 53, "código do convênio")
L_AGENCY = Field(54, 58, "agência")
L_AGENCY_DIGIT = Field(59, 59, "dígito da agência")
L_ACCOUNT = Field(60, 71, "conta corrente")
L_ACCOUNT_DIGIT = Field(72, 72, "dígito da conta")
L_NAME = Field(74, 103, "nome da empresa")
L_SEQUENCE = Field(184, 191, "número remessa/retorno")
L_DATE = Field(192, 199, "data de gravação")
L_CREDIT_DATE = Field(200, 207, "data do crédito")

# Detail records (registro 3), common part
D_SEQUENCE = Field(9, 13, "número sequencial do registro no lote")
D_SEGMENT = Field(14, 14, "segmento")
D_MOVEMENT = Field(16, 17, "código de movimento")

# Segment P: the title
P_AGENCY = Field(18, 22, "agência")
P_AGENCY_DIGIT = Field(23, 23, "dígito da agência")
P_ACCOUNT = Field(24, 35, "conta corrente")
P_ACCOUNT_DIGIT = Field(36, 36, "dígito da conta")
P_NOSSO_NUMERO = Field(38, 57, "nosso número")
P_CARTEIRA = Field(58, 58, "carteira")
P_REGISTRATION = Field(59, 59, "forma de cadastramento")
P_DOCUMENT_KIND = Field(60, 60, "tipo de documento")
P_ISSUER = Field(61, 61, "emissão do boleto")
P_DISTRIBUTION = Field(62, 62, "distribuição do boleto")
P_DOCUMENT_NUMBER = Field(63, 77, "número do documento")
P_DUE_ON = Field(78, 85, "data de vencimento")
P_AMOUNT = Field(86, 100, "valor do título")
P_COLLECTING_AGENCY = Field(101, 105, "agência cobradora")
P_SPECIES = Field(107, 108, "espécie do título")
P_ACCEPTANCE = Field(109, 109, "aceite")
P_ISSUED_ON = Field(110, 117, "data de emissão")
P_INTEREST_CODE = Field(118, 118, "código de juros de mora")
P_INTEREST_FROM = Field(119, 126, "data de juros de mora")
P_INTEREST = Field(127, 141, "juros de mora por dia")
P_DISCOUNT_CODE = Field(142, 142, "código do desconto")
P_DISCOUNT_DATE = Field(143, 150, "data do desconto")
P_DISCOUNT = Field(151, 165, "valor do desconto")
P_IOF = Field(166, 180, "valor do IOF")
P_REBATE = Field(181, 195, "valor do abatimento")
P_COMPANY_REFERENCE = Field(196, 220, "identificação do título na empresa")
P_PROTEST_CODE = Field(221, 221, "código para protesto")
P_PROTEST_DAYS = Field(222, 223, "prazo para protesto")
P_WRITE_OFF_CODE = Field(224, 224, "código para baixa")
P_WRITE_OFF_DAYS = Field(225, 227, "prazo para baixa")
P_CURRENCY = Field(228, 229, "código da moeda")
P_CONTRACT = Field(230, 239, "número do contrato")

# Segment Q: the payer
Q_DOCUMENT_TYPE = Field(18, 18, "tipo de inscrição do pagador")
Q_DOCUMENT = Field(19, 33, "número de inscrição do pagador")
Q_NAME = Field(34, 73, "nome do pagador")
Q_ADDRESS = Field(74, 113, "endereço do pagador")
Q_DISTRICT = Field(114, 128, "bairro do pagador")
Q_POSTAL_CODE = Field(129, 136, "CEP do pagador")  # CEP (5) and its suffix (3), adjacent
Q_CITY = Field(137, 151, "cidade do pagador")
Q_STATE = Field(152, 153, "UF do pagador")
Q_GUARANTOR_DOCUMENT_TYPE = Field(154, 154, "tipo de inscrição do sacador")
Q_GUARANTOR_DOCUMENT = Field(155, 169, "número de inscrição do sacador")
Q_CORRESPONDENT_BANK = Field(210, 212, "banco correspondente")

# Lot trailer (registro 5) and file trailer (registro 9)
T_LOT_RECORDS = Field(18, 23, "quantidade de registros do lote")
T_LOT_TOTALS = Field(24, 115, "totalizações da cobrança")  # only filled by the bank, on returns
T_FILE_LOTS = Field(18, 23, "quantidade de lotes do arquivo")
T_FILE_RECORDS = Field(24, 29, "quantidade de registros do arquivo")
T_FILE_ACCOUNTS = Field(30, 35, "quantidade de contas para conciliação")

# Fixed codes
FILE_VERSION = "083"  # G019 for v08.3
LOT_VERSION = "042"  # G030, default in the cobrança lot header of v08.3
DENSITY = "01600"  # G020: 1600 BPI
OPERATION_REMITTANCE = "R"  # G028
SERVICE_COBRANCA = "01"  # G025
MOVEMENT_ENTRY = "01"  # C004: entrada de títulos
REGISTERED = "1"  # C007: com cadastramento (cobrança registrada)
TRADITIONAL = "1"  # C008
CLIENT_ISSUES = "2"  # C009: the vendor prints/sends the boleto
CLIENT_DISTRIBUTES = "2"  # C010
NOT_ACCEPTED = "N"  # C016
INTEREST_PER_DAY, INTEREST_EXEMPT = "1", "3"  # C018
NO_DISCOUNT = "0"
DO_NOT_PROTEST = "3"  # C026
WRITE_OFF = "1"  # C028: baixar/devolver
CURRENCY_REAL = "09"  # G065
CPF, CNPJ = "1", "2"  # G005
