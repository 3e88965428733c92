package gen

// Static vocabulary of the generated tenant: tables, privileges, business
// units, people. Nothing here depends on the seed, so the table and privilege
// catalogue is the same for every seed and every size, as in real
// environments, where the out-of-box metadata does not vary.

// Table areas: which kind of role touches a table.
const (
	areaCore      = "core"      // accounts, contacts, activities: every business user
	areaSales     = "sales"     // leads, opportunities, quotes, orders, invoices
	areaService   = "service"   // cases, knowledge, entitlements, queues
	areaMarketing = "marketing" // campaigns, journeys, lists
	areaField     = "field"     // field service and scheduling
	areaFinance   = "finance"   // custom finance tables
	areaSystem    = "system"    // users, roles, teams, solutions, customization
	areaKnowledge = "knowledge" // knowledge articles
	areaCustom    = "custom"    // other custom tables
)

// tableDef is one table of the catalogue: its logical name, the schema name
// its privileges are named after, its area and whether it is
// organization-owned (then its privileges can only be granted at Global).
type tableDef struct {
	logical, schema, area string
	orgOwned              bool
}

// oobTables are out-of-box Dataverse / Dynamics 365 tables with their schema
// names. Organization-owned ones are marked.
var oobTables = []tableDef{
	{"account", "Account", areaCore, false},
	{"contact", "Contact", areaCore, false},
	{"lead", "Lead", areaSales, false},
	{"opportunity", "Opportunity", areaSales, false},
	{"opportunityproduct", "OpportunityProduct", areaSales, false},
	{"quote", "Quote", areaSales, false},
	{"quotedetail", "QuoteDetail", areaSales, false},
	{"salesorder", "SalesOrder", areaSales, false},
	{"salesorderdetail", "SalesOrderDetail", areaSales, false},
	{"invoice", "Invoice", areaSales, false},
	{"invoicedetail", "InvoiceDetail", areaSales, false},
	{"competitor", "Competitor", areaSales, true},
	{"product", "Product", areaSales, true},
	{"pricelevel", "PriceLevel", areaSales, true},
	{"productpricelevel", "ProductPriceLevel", areaSales, true},
	{"discounttype", "DiscountType", areaSales, true},
	{"discount", "Discount", areaSales, true},
	{"uom", "Uom", areaSales, true},
	{"uomschedule", "UomSchedule", areaSales, true},
	{"salesliterature", "SalesLiterature", areaSales, true},
	{"territory", "Territory", areaSales, true},
	{"goal", "Goal", areaSales, false},
	{"goalrollupquery", "GoalRollupQuery", areaSales, false},
	{"metric", "Metric", areaSales, true},
	{"contract", "Contract", areaService, false},
	{"contractdetail", "ContractDetail", areaService, false},
	{"contracttemplate", "ContractTemplate", areaService, true},
	{"campaign", "Campaign", areaMarketing, false},
	{"campaignactivity", "CampaignActivity", areaMarketing, false},
	{"campaignresponse", "CampaignResponse", areaMarketing, false},
	{"list", "List", areaMarketing, false},
	{"bulkoperation", "BulkOperation", areaMarketing, false},
	{"incident", "Incident", areaService, false},
	{"incidentresolution", "IncidentResolution", areaService, false},
	{"entitlement", "Entitlement", areaService, false},
	{"entitlementtemplate", "EntitlementTemplate", areaService, true},
	{"sla", "SLA", areaService, false},
	{"slakpiinstance", "SLAKPIInstance", areaService, false},
	{"queue", "Queue", areaService, false},
	{"queueitem", "QueueItem", areaService, true},
	{"routingrule", "RoutingRule", areaService, false},
	{"subject", "Subject", areaService, true},
	{"service", "Service", areaField, true},
	{"serviceappointment", "ServiceAppointment", areaField, false},
	{"equipment", "Equipment", areaField, true},
	{"resource", "Resource", areaField, true},
	{"resourcegroup", "ResourceGroup", areaField, true},
	{"bookableresource", "BookableResource", areaField, false},
	{"bookableresourcebooking", "BookableResourceBooking", areaField, false},
	{"bookableresourcebookingheader", "BookableResourceBookingHeader", areaField, false},
	{"bookableresourcecategory", "BookableResourceCategory", areaField, false},
	{"bookableresourcegroup", "BookableResourceGroup", areaField, false},
	{"bookingstatus", "BookingStatus", areaField, false},
	{"characteristic", "Characteristic", areaField, false},
	{"ratingmodel", "RatingModel", areaField, false},
	{"knowledgearticle", "KnowledgeArticle", areaKnowledge, false},
	{"knowledgearticleviews", "KnowledgeArticleViews", areaKnowledge, true},
	{"knowledgebaserecord", "KnowledgeBaseRecord", areaKnowledge, true},
	{"kbarticle", "KbArticle", areaKnowledge, true},
	{"kbarticletemplate", "KbArticleTemplate", areaKnowledge, true},
	{"activitypointer", "ActivityPointer", areaCore, false},
	{"email", "Email", areaCore, false},
	{"phonecall", "PhoneCall", areaCore, false},
	{"task", "Task", areaCore, false},
	{"appointment", "Appointment", areaCore, false},
	{"letter", "Letter", areaCore, false},
	{"fax", "Fax", areaCore, false},
	{"recurringappointmentmaster", "RecurringAppointmentMaster", areaCore, false},
	{"socialactivity", "SocialActivity", areaCore, false},
	{"socialprofile", "SocialProfile", areaCore, false},
	{"annotation", "Annotation", areaCore, false},
	{"connection", "Connection", areaCore, false},
	{"connectionrole", "ConnectionRole", areaCore, true},
	{"customeraddress", "CustomerAddress", areaCore, false},
	{"customerrelationship", "CustomerRelationship", areaCore, false},
	{"post", "Post", areaCore, true},
	{"postfollow", "PostFollow", areaCore, false},
	{"feedback", "Feedback", areaCore, false},
	{"sharepointdocumentlocation", "SharePointDocumentLocation", areaCore, false},
	{"sharepointsite", "SharePointSite", areaCore, false},
	{"userquery", "UserQuery", areaCore, false},
	{"userform", "UserForm", areaCore, false},
	{"userqueryvisualization", "UserQueryVisualization", areaCore, false},
	{"usersettings", "UserSettings", areaCore, false},
	{"mailbox", "Mailbox", areaCore, false},
	{"mailmergetemplate", "MailMergeTemplate", areaCore, false},
	{"template", "Template", areaCore, false},
	{"documenttemplate", "DocumentTemplate", areaCore, true},
	{"personaldocumenttemplate", "PersonalDocumentTemplate", areaCore, false},
	{"duplicaterule", "DuplicateRule", areaCore, false},
	{"importfile", "ImportFile", areaCore, false},
	{"importmap", "ImportMap", areaCore, false},
	{"import", "Import", areaCore, false},
	{"exportsolutionupload", "ExportSolutionUpload", areaSystem, false},
	{"transactioncurrency", "TransactionCurrency", areaCore, true},
	{"calendar", "Calendar", areaCore, true},
	{"systemuser", "User", areaSystem, false},
	{"team", "Team", areaSystem, false},
	{"role", "Role", areaSystem, false},
	{"businessunit", "BusinessUnit", areaSystem, false},
	{"organization", "Organization", areaSystem, true},
	{"fieldsecurityprofile", "FieldSecurityProfile", areaSystem, true},
	{"fieldpermission", "FieldPermission", areaSystem, true},
	{"teamtemplate", "TeamTemplate", areaSystem, true},
	{"solution", "Solution", areaSystem, true},
	{"publisher", "Publisher", areaSystem, true},
	{"savedquery", "SavedQuery", areaSystem, true},
	{"savedqueryvisualization", "SavedQueryVisualization", areaSystem, true},
	{"systemform", "SystemForm", areaSystem, true},
	{"webresource", "WebResource", areaSystem, true},
	{"sitemap", "SiteMap", areaSystem, true},
	{"appmodule", "AppModule", areaSystem, true},
	{"customcontrol", "CustomControl", areaSystem, true},
	{"pluginassembly", "PluginAssembly", areaSystem, true},
	{"plugintype", "PluginType", areaSystem, true},
	{"sdkmessageprocessingstep", "SdkMessageProcessingStep", areaSystem, true},
	{"serviceendpoint", "ServiceEndpoint", areaSystem, true},
	{"workflow", "Workflow", areaSystem, false},
	{"asyncoperation", "AsyncOperation", areaSystem, false},
	{"processsession", "ProcessSession", areaSystem, false},
	{"report", "Report", areaSystem, false},
	{"reportcategory", "ReportCategory", areaSystem, true},
	{"ribbondiff", "RibbonDiff", areaSystem, true},
	{"entitymap", "EntityMap", areaSystem, true},
	{"optionset", "OptionSet", areaSystem, true},
	{"relationshiprole", "RelationshipRole", areaSystem, true},
	{"audit", "Audit", areaSystem, true},
	{"environmentvariabledefinition", "EnvironmentVariableDefinition", areaSystem, false},
	{"environmentvariablevalue", "EnvironmentVariableValue", areaSystem, false},
	{"connectionreference", "ConnectionReference", areaSystem, false},
	{"connector", "Connector", areaSystem, false},
	{"canvasapp", "CanvasApp", areaSystem, false},
	{"flowsession", "FlowSession", areaSystem, false},
	{"desktopflowmodule", "DesktopFlowModule", areaSystem, false},
	{"aiplugin", "AIPlugin", areaSystem, false},
	{"bot", "bot", areaSystem, false},
	{"botcomponent", "botcomponent", areaSystem, false},
	{"chat", "Chat", areaCore, false},
	{"emailserverprofile", "EmailServerProfile", areaSystem, false},
	{"queuemembership", "QueueMembership", areaService, true},
	{"systemuserauthorizationchangetracker", "SystemUserAuthorizationChangeTracker", areaSystem, true},
	{"hierarchysecurityconfiguration", "HierarchySecurityConfiguration", areaSystem, true},
	{"recordfilter", "RecordFilter", areaSystem, true},
	{"mobileofflineprofile", "MobileOfflineProfile", areaSystem, true},
	{"syncerror", "SyncError", areaSystem, false},
	{"emailsignature", "EmailSignature", areaCore, false},
	{"position", "Position", areaSystem, true},
	{"externalparty", "ExternalParty", areaCore, false},
	{"actioncard", "ActionCard", areaCore, false},
	{"interactionforemail", "InteractionForEmail", areaCore, false},
	{"knowledgesearchmodel", "KnowledgeSearchModel", areaKnowledge, true},
	{"similarityrule", "SimilarityRule", areaKnowledge, true},
	{"category", "Category", areaKnowledge, false},
	{"expiredprocess", "ExpiredProcess", areaSales, false},
	{"leadtoopportunitysalesprocess", "LeadToOpportunitySalesProcess", areaSales, false},
	{"opportunitysalesprocess", "OpportunitySalesProcess", areaSales, false},
	{"phonetocaseprocess", "PhoneToCaseProcess", areaService, false},
	{"translationprocess", "TranslationProcess", areaKnowledge, false},
}

// msdynTables are real table names of Microsoft's first-party apps, by area.
// The catalogue fills up to its size with more names built from these.
var msdynTables = map[string][]string{
	areaField: {"msdyn_workorder", "msdyn_workorderproduct", "msdyn_workorderservice", "msdyn_workorderservicetask",
		"msdyn_workorderincident", "msdyn_workordertype", "msdyn_workordersubstatus", "msdyn_incidenttype",
		"msdyn_incidenttypeproduct", "msdyn_incidenttypeservice", "msdyn_incidenttypeservicetask", "msdyn_customerasset",
		"msdyn_customerassetcategory", "msdyn_functionallocation", "msdyn_agreement", "msdyn_agreementbookingdate",
		"msdyn_agreementbookingsetup", "msdyn_agreementinvoicedate", "msdyn_agreementinvoicesetup", "msdyn_servicetasktype",
		"msdyn_resourcerequirement", "msdyn_resourcerequirementdetail", "msdyn_requirementcharacteristic",
		"msdyn_requirementgroup", "msdyn_requirementresourcepreference", "msdyn_resourceterritory", "msdyn_timeoffrequest",
		"msdyn_timeoffcalendar", "msdyn_warehouse", "msdyn_inventoryadjustment", "msdyn_inventoryjournal",
		"msdyn_inventorytransfer", "msdyn_purchaseorder", "msdyn_purchaseorderproduct", "msdyn_purchaseorderreceipt",
		"msdyn_rma", "msdyn_rmaproduct", "msdyn_rmareceipt", "msdyn_rtv", "msdyn_rtvproduct", "msdyn_postalcode",
		"msdyn_bookingalert", "msdyn_bookingalertstatus", "msdyn_bookingjournal", "msdyn_bookingtimestamp",
		"msdyn_organizationalunit", "msdyn_scheduleboardsetting", "msdyn_systemuserschedulersetting",
		"msdyn_timeentry", "msdyn_timeentrysetting", "msdyn_payment", "msdyn_paymentdetail", "msdyn_paymentterm",
		"msdyn_fieldservicesetting", "msdyn_fieldservicepricelistitem", "msdyn_iotalert", "msdyn_iotdevice",
		"msdyn_iotdevicecategory", "msdyn_iotdevicecommand", "msdyn_iotdeviceregistrationhistory", "msdyn_project",
		"msdyn_projecttask", "msdyn_projectteam", "msdyn_resourceassignment", "msdyn_estimate", "msdyn_estimateline"},
	areaService: {"msdyn_ocliveworkitem", "msdyn_ocsession", "msdyn_liveworkstream", "msdyn_liveworkstreamcapacityprofile",
		"msdyn_ocliveworkstreamcontextvariable", "msdyn_occhannelconfiguration", "msdyn_ocsentimentdailytopic",
		"msdyn_conversationtopic", "msdyn_customerservicesetting", "msdyn_decisioncontract", "msdyn_decisionruleset",
		"msdyn_routingconfiguration", "msdyn_routingconfigurationstep", "msdyn_capacityprofile", "msdyn_assignmentconfiguration",
		"msdyn_assignmentconfigurationstep", "msdyn_assignmentrule", "msdyn_kbattachment", "msdyn_knowledgearticletemplate",
		"msdyn_knowledgeinteractioninsight", "msdyn_knowledgesearchinsight", "msdyn_casesuggestion", "msdyn_caseenrichment",
		"msdyn_csadminappsettings", "msdyn_customerassetattachment", "msdyn_slakpi", "msdyn_sessiontemplate",
		"msdyn_notificationtemplate", "msdyn_productivityagentscript", "msdyn_productivityagentscriptstep",
		"msdyn_productivitymacroactiontemplate", "msdyn_productivitymacroconnector", "msdyn_presence",
		"msdyn_omnichannelconfiguration", "msdyn_ocrequest", "msdyn_ocsystemmessage", "msdyn_operatinghour",
		"msdyn_surveyresponse", "msdyn_chatwidgetlanguage", "msdyn_smsnumber", "msdyn_teamsengagementsetting"},
	areaSales: {"msdyn_salesinsightssettings", "msdyn_salesroutingrun", "msdyn_segment", "msdyn_sequence",
		"msdyn_sequencetarget", "msdyn_sequencetargetstep", "msdyn_salessuggestion", "msdyn_forecastconfiguration",
		"msdyn_forecastdefinition", "msdyn_forecastinstance", "msdyn_forecastrecurrence", "msdyn_leadmodelconfig",
		"msdyn_opportunitymodelconfig", "msdyn_predictivescore", "msdyn_relationshipinsightsunifiedconfig",
		"msdyn_salesaccelerationsettings", "msdyn_dealmanagersettings", "msdyn_conversationdata", "msdyn_callablecontext",
		"msdyn_playbookinstance", "msdyn_playbooktemplate", "msdyn_playbookcategory", "msdyn_accountkpiitem",
		"msdyn_contactkpiitem", "msdyn_leadkpiitem", "msdyn_opportunitykpiitem", "msdyn_dataflow", "msdyn_quotebookingsetup",
		"msdyn_quotelineanalyticsbreakdown", "msdyn_orderinvoicingdate", "msdyn_orderpricelist", "msdyn_salescopilotsetting"},
	areaMarketing: {"msdynmkt_journey", "msdynmkt_email", "msdynmkt_emailtemplate", "msdynmkt_segment",
		"msdynmkt_trigger", "msdynmkt_smsmessage", "msdynmkt_pushnotification", "msdynmkt_mobileapp",
		"msdynmkt_mobileappchannelinstance", "msdynmkt_smsprovider", "msdynmkt_brandprofile", "msdynmkt_compliancesettings",
		"msdynmkt_consentcenter", "msdynmkt_contactpointconsent", "msdynmkt_purpose", "msdynmkt_topic",
		"msdynmkt_marketingform", "msdynmkt_marketingformsubmission", "msdynmkt_experiment", "msdynmkt_fragment",
		"msdynmkt_videoasset", "msdynmkt_frequencycap", "msdynmkt_quiethours", "msdynmkt_analyticsconfiguration",
		"msdynmkt_customchannelinstance", "msdynmkt_emailsendingdomain", "msdynmkt_leadscoremodel",
		"msdyncrm_leadscoremodel", "msdyncrm_linkedinaccount", "msdyncrm_linkedinleadgenformsubmission",
		"msevtmgt_event", "msevtmgt_eventregistration", "msevtmgt_session", "msevtmgt_sessionregistration",
		"msevtmgt_speaker", "msevtmgt_venue", "msevtmgt_attendee", "msevtmgt_checkin", "msevtmgt_eventpurchase",
		"msevtmgt_sponsorship"},
}

// msdynPrefix is the solution prefix of the generated first-party names of an area.
var msdynPrefix = map[string]string{areaField: "msdyn_", areaService: "msdyn_", areaSales: "msdyn_", areaMarketing: "msdynmkt_"}

// msdynAreas fixes the order in which areas are walked (never range a map).
var msdynAreas = []string{areaField, areaService, areaSales, areaMarketing}

// msdynNouns and tableSuffixes build more first-party-looking table names.
var msdynNouns = map[string][]string{
	areaField:     {"asset", "booking", "crew", "inspection", "inventory", "maintenance", "resource", "route", "skill", "territory", "visit", "workorder"},
	areaService:   {"agent", "case", "channel", "conversation", "escalation", "intent", "queue", "session", "skill", "transcript", "workstream", "survey"},
	areaSales:     {"cadence", "deal", "forecast", "insight", "pipeline", "quota", "scoring", "sequence", "signal", "territory", "target", "playbook"},
	areaMarketing: {"asset", "audience", "channel", "consent", "content", "event", "form", "journey", "message", "segment", "preference", "tracking"},
}

var tableSuffixes = []string{"setting", "config", "rule", "template", "mapping", "log", "definition", "instance",
	"detail", "history", "type", "status", "line", "schedule", "metric"}

// customNouns are the Contoso-specific tables (prefix contoso_), by area.
var customNouns = []struct {
	area  string
	nouns []string
}{
	{areaFinance, []string{"payment", "invoiceapproval", "budget", "expense", "costcenter", "ledgerentry", "creditcheck",
		"paymentrun", "bankaccount", "taxcode", "rebate", "accrual"}},
	{areaSales, []string{"tender", "pricingrequest", "dealreview", "keyaccountplan", "territoryplan", "commission",
		"samplerequest", "distributor", "marketaccess", "tenderlot"}},
	{areaService, []string{"complaint", "adverseevent", "medicalinquiry", "returnauthorization", "productrecall",
		"qualityissue", "servicevisit", "hotlinecall"}},
	{areaCustom, []string{"study", "trial", "site", "investigator", "formulation", "batch", "regulatorysubmission",
		"productlicense", "supplier", "shipment", "warehouse", "audittrail", "training", "certification", "document",
		"policy", "riskassessment", "incidentreport"}},
}

var customSuffixes = []string{"", "line", "approval", "history", "type", "status", "document", "review", "assignment", "note"}

// Catalogue sizes: 800 tables of 8 privileges plus 100 miscellaneous ones is
// about the 6,500 privileges of a Dynamics 365 environment with Sales,
// Customer Service, Field Service and Marketing installed.
const (
	tableCount  = 800
	customCount = 230 // contoso_* tables; the rest of the catalogue is out-of-box and msdyn*
)

// rights are the eight table privileges, in the order they are generated,
// with their AccessRights bits (INPUT.md).
var rights = [8]struct {
	name string
	bit  int
}{{"Create", 32}, {"Read", 1}, {"Write", 2}, {"Delete", 65536}, {"Append", 4}, {"AppendTo", 16},
	{"Assign", 524288}, {"Share", 262144}}

const (
	rCreate = iota
	rRead
	rWrite
	rDelete
	rAppend
	rAppendTo
	rAssign
	rShare
)

// Depth masks.
const (
	dBasic  = 1
	dLocal  = 2
	dDeep   = 4
	dGlobal = 8
)

// miscPrivileges are the privileges that name no table (objecttypecode
// "none"), with their access right.
var miscPrivileges = []struct {
	name  string
	right int
}{
	{"prvActOnBehalfOfAnotherUser", 0}, {"prvBulkDelete", 1}, {"prvBulkEdit", 0}, {"prvDisableUser", 0},
	{"prvDisableBusinessUnit", 0}, {"prvExportCustomization", 0}, {"prvImportCustomization", 0},
	{"prvPublishCustomization", 0}, {"prvMerge", 0}, {"prvOverrideCreatedOnCreatedBy", 0}, {"prvReparentUser", 2},
	{"prvReparentTeam", 2}, {"prvReparentBusinessUnit", 2}, {"prvAssignManager", 0}, {"prvAssignPositionToUser", 0},
	{"prvWriteHierarchicalSecurityConfiguration", 0}, {"prvReadRecordAuditHistory", 1}, {"prvReadAuditSummary", 1},
	{"prvReadAuditPartitions", 1}, {"prvDeleteAuditPartitions", 0}, {"prvDeleteRecordChangeHistory", 0},
	{"prvSendAsUser", 0}, {"prvPublishDuplicateRule", 0}, {"prvReadLicense", 1}, {"prvWorkflowExecution", 0},
	{"prvActivateSynchronousWorkflow", 0}, {"prvActivateBusinessProcessFlow", 0}, {"prvActivateBusinessRule", 0},
	{"prvApproveRejectEmailAddress", 0}, {"prvDocumentGeneration", 0}, {"prvUseTabletApp", 0},
	{"prvExportToExcel", 0}, {"prvGoOffline", 0}, {"prvMailMerge", 0}, {"prvPrint", 0}, {"prvSyncToOutlook", 0},
	{"prvUseOfficeApps", 0}, {"prvGoMobile", 0}, {"prvWebMailMerge", 0}, {"prvAllowQuickCampaign", 0},
	{"prvConfigureInternetMarketing", 0}, {"prvConfigureSharePoint", 0}, {"prvConfigureYammer", 0},
	{"prvUseInternetMarketing", 0}, {"prvLanguageSettings", 0}, {"prvMobileOfflineSettings", 0},
	{"prvManageUserSynchronizationFilters", 0}, {"prvTurnOnOffUserSynchronization", 0}, {"prvRollupGoal", 0},
	{"prvPublishReport", 0}, {"prvAddReportingServicesReports", 0}, {"prvDeleteReportingServicesReports", 0},
	{"prvDownloadReportDefinition", 0}, {"prvPublishArticle", 0}, {"prvApproveKnowledgeArticle", 0},
	{"prvPublishKnowledgeArticle", 0}, {"prvOverridePriceEngineInvoice", 0}, {"prvOverridePriceEngineOrder", 0},
	{"prvOverridePriceEngineQuote", 0}, {"prvOverrideQuoteOrderInvoiceDelete", 0}, {"prvBrowseAvailability", 0},
	{"prvSearchAvailability", 0}, {"prvISVExtensions", 0}, {"prvPublishOrgCalendar", 0},
	{"prvManageDataEncryptionKeys", 0}, {"prvEnableSecurityAuditing", 0}, {"prvConfigureAuditSettings", 0},
	{"prvAllowTimelineWallPosts", 0}, {"prvEnableGoogleContactsSync", 0}, {"prvUseLiveAssist", 0},
	{"prvUseSalesInsights", 0}, {"prvUseCopilot", 0}, {"prvUseRelationshipAnalytics", 0},
	{"prvUseConversationIntelligence", 0}, {"prvUseAssistanceStudio", 0}, {"prvManageBots", 0},
	{"prvUseOmnichannel", 0}, {"prvUseProductivityPane", 0}, {"prvConfigureTeamsIntegration", 0},
	{"prvUseTeamsChat", 0}, {"prvCreateDataflows", 0}, {"prvPublishDataflows", 0}, {"prvManageDataLakeExport", 0},
	{"prvConfigureSynapseLink", 0}, {"prvAIBuilderModelTraining", 0}, {"prvUsePowerBIEmbedded", 0},
	{"prvManageSolutionHistory", 0}, {"prvImportSolutionUpgrade", 0}, {"prvExportSolutionManaged", 0},
	{"prvManageEnvironmentSettings", 0}, {"prvManageConnectionReferences", 0}, {"prvConfigureSearch", 0},
	{"prvManageDuplicateDetection", 0}, {"prvRunDuplicateDetectionJobs", 0}, {"prvManageDataRetention", 0},
	{"prvBulkUpdateOwner", 0}, {"prvRunSlaRecalculation", 0}, {"prvManageFieldServiceSettings", 0},
	{"prvConfigureScheduleBoard", 0}, {"prvManageCustomerJourneys", 0}, {"prvSendTestMessages", 0},
}

// Miscellaneous privilege groups used by the out-of-box roles.
var (
	privacyPrivileges = []string{"prvDocumentGeneration", "prvUseTabletApp", "prvExportToExcel", "prvGoOffline",
		"prvMailMerge", "prvPrint", "prvSyncToOutlook", "prvUseOfficeApps", "prvGoMobile", "prvWebMailMerge",
		"prvWorkflowExecution", "prvAllowTimelineWallPosts", "prvUseProductivityPane"}
	customizationPrivileges = []string{"prvExportCustomization", "prvImportCustomization", "prvPublishCustomization",
		"prvPublishDuplicateRule", "prvActivateSynchronousWorkflow", "prvActivateBusinessProcessFlow",
		"prvActivateBusinessRule", "prvPublishReport", "prvAddReportingServicesReports", "prvISVExtensions",
		"prvManageSolutionHistory", "prvImportSolutionUpgrade", "prvExportSolutionManaged", "prvManageConnectionReferences",
		"prvCreateDataflows", "prvPublishDataflows", "prvLanguageSettings"}
	salesPrivileges = []string{"prvOverridePriceEngineQuote", "prvOverridePriceEngineOrder", "prvOverridePriceEngineInvoice",
		"prvRollupGoal", "prvUseSalesInsights", "prvUseRelationshipAnalytics", "prvAllowQuickCampaign", "prvMerge"}
	servicePrivileges = []string{"prvPublishArticle", "prvApproveKnowledgeArticle", "prvPublishKnowledgeArticle",
		"prvUseOmnichannel", "prvUseLiveAssist", "prvMerge", "prvRunSlaRecalculation"}
	highRiskPrivileges = []string{"prvBulkDelete", "prvExportCustomization", "prvImportCustomization",
		"prvActOnBehalfOfAnotherUser", "prvDeleteAuditPartitions", "prvDeleteRecordChangeHistory", "prvBulkEdit"}
)

// Business units.
type regionDef struct {
	name      string
	countries [][2]string // name, code
}

var regions = []regionDef{
	{"EMEA", [][2]string{{"Germany", "DE"}, {"France", "FR"}, {"United Kingdom", "UK"}, {"Italy", "IT"}, {"Spain", "ES"},
		{"Netherlands", "NL"}, {"Belgium", "BE"}, {"Switzerland", "CH"}, {"Austria", "AT"}, {"Poland", "PL"},
		{"Czechia", "CZ"}, {"Portugal", "PT"}, {"Ireland", "IE"}, {"Greece", "GR"}}},
	{"Americas", [][2]string{{"United States", "US"}, {"Canada", "CA"}, {"Mexico", "MX"}, {"Brazil", "BR"},
		{"Argentina", "AR"}, {"Chile", "CL"}, {"Colombia", "CO"}, {"Peru", "PE"}, {"Uruguay", "UY"}, {"Costa Rica", "CR"},
		{"Puerto Rico", "PR"}, {"Ecuador", "EC"}}},
	{"APAC", [][2]string{{"Japan", "JP"}, {"China", "CN"}, {"India", "IN"}, {"Australia", "AU"}, {"Singapore", "SG"},
		{"South Korea", "KR"}, {"Indonesia", "ID"}, {"Malaysia", "MY"}, {"Thailand", "TH"}, {"Vietnam", "VN"},
		{"Philippines", "PH"}, {"New Zealand", "NZ"}}},
	{"Middle East & Africa", [][2]string{{"United Arab Emirates", "AE"}, {"Saudi Arabia", "SA"}, {"South Africa", "ZA"},
		{"Egypt", "EG"}, {"Türkiye", "TR"}, {"Israel", "IL"}, {"Nigeria", "NG"}, {"Kenya", "KE"}, {"Morocco", "MA"},
		{"Qatar", "QA"}}},
	{"Nordics", [][2]string{{"Sweden", "SE"}, {"Norway", "NO"}, {"Denmark", "DK"}, {"Finland", "FI"}, {"Iceland", "IS"},
		{"Estonia", "EE"}, {"Latvia", "LV"}, {"Lithuania", "LT"}}},
	{"Central & Eastern Europe", [][2]string{{"Hungary", "HU"}, {"Romania", "RO"}, {"Bulgaria", "BG"}, {"Croatia", "HR"},
		{"Slovakia", "SK"}, {"Slovenia", "SI"}, {"Serbia", "RS"}, {"Ukraine", "UA"}}},
}

// Departments of a country, with the table area their people work in.
var departments = []struct{ name, area string }{
	{"Sales", areaSales}, {"Service", areaService}, {"Marketing", areaMarketing}, {"Finance", areaFinance},
	{"Field Service", areaField}, {"Operations", areaCustom},
}

var titlesByArea = map[string][]string{
	areaSales:     {"Account Executive", "Sales Representative", "Key Account Manager", "Inside Sales Representative", "Sales Manager", "Business Development Manager"},
	areaService:   {"Customer Service Agent", "Service Desk Analyst", "Case Manager", "Service Team Lead", "Medical Information Specialist"},
	areaMarketing: {"Marketing Specialist", "Campaign Manager", "Digital Marketing Manager", "Event Coordinator", "Brand Manager"},
	areaFinance:   {"Financial Controller", "Accounts Payable Specialist", "Finance Analyst", "Credit Controller", "Treasury Analyst"},
	areaField:     {"Field Technician", "Dispatcher", "Service Engineer", "Scheduler", "Field Service Manager"},
	areaCustom:    {"Operations Analyst", "Quality Manager", "Regulatory Affairs Specialist", "Supply Chain Planner", "Clinical Research Associate"},
	areaCore:      {"Country Manager", "Regional Director", "Executive Assistant", "Business Analyst", "Project Manager"},
}

// person names: display form and the ASCII form used in user principal names.
type nameForm struct{ display, ascii string }

var firstNames = []nameForm{
	{"Anna", "anna"}, {"Lukas", "lukas"}, {"Clara", "clara"}, {"Noah", "noah"}, {"Zoë", "zoe"}, {"Liam", "liam"},
	{"Emma", "emma"}, {"Oliver", "oliver"}, {"Sofia", "sofia"}, {"Mateo", "mateo"}, {"Léa", "lea"}, {"Hugo", "hugo"},
	{"Chiara", "chiara"}, {"Marco", "marco"}, {"Giulia", "giulia"}, {"Pieter", "pieter"}, {"Sanne", "sanne"},
	{"Björn", "bjoern"}, {"Ingrid", "ingrid"}, {"Mehmet", "mehmet"}, {"Elif", "elif"}, {"Fatima", "fatima"},
	{"Omar", "omar"}, {"Ewa", "ewa"}, {"Jan", "jan"}, {"Tereza", "tereza"}, {"Grace", "grace"}, {"Daniel", "daniel"},
	{"José", "jose"}, {"Camila", "camila"}, {"Priya", "priya"}, {"Ravi", "ravi"}, {"Aiko", "aiko"}, {"Hiroshi", "hiroshi"},
	{"Wei", "wei"}, {"Mei", "mei"}, {"Min-jun", "minjun"}, {"Ji-woo", "jiwoo"}, {"Kwame", "kwame"}, {"Amara", "amara"},
	{"Thandiwe", "thandiwe"}, {"Sipho", "sipho"}, {"Olga", "olga"}, {"Dmitri", "dmitri"}, {"Nikos", "nikos"},
	{"Eleni", "eleni"}, {"Sven", "sven"}, {"Freja", "freja"}, {"Mikkel", "mikkel"}, {"Aino", "aino"}, {"Juho", "juho"},
	{"Siobhan", "siobhan"}, {"Conor", "conor"}, {"Isabel", "isabel"}, {"Tomás", "tomas"}, {"Beatriz", "beatriz"},
	{"João", "joao"}, {"Carlos", "carlos"}, {"Lucía", "lucia"}, {"Valentina", "valentina"}, {"Diego", "diego"},
	{"Ahmed", "ahmed"}, {"Layla", "layla"}, {"Yusuf", "yusuf"}, {"Noor", "noor"}, {"Arjun", "arjun"}, {"Ananya", "ananya"},
	{"Rahul", "rahul"}, {"Deepa", "deepa"}, {"Thomas", "thomas"}, {"Hannah", "hannah"}, {"Erik", "erik"},
	{"Maja", "maja"}, {"Stefan", "stefan"}, {"Katarzyna", "katarzyna"}, {"Piotr", "piotr"}, {"Zsófia", "zsofia"},
	{"Bence", "bence"}, {"Ioana", "ioana"}, {"Andrei", "andrei"}, {"Nguyen", "nguyen"}, {"Linh", "linh"},
	{"Siti", "siti"}, {"Arif", "arif"}, {"Chloé", "chloe"}, {"Mathieu", "mathieu"}, {"Charlotte", "charlotte"},
	{"James", "james"}, {"Emily", "emily"}, {"Michael", "michael"}, {"Sarah", "sarah"}, {"David", "david"},
	{"Laura", "laura"}, {"Ethan", "ethan"}, {"Olivia", "olivia"}, {"Jack", "jack"}, {"Ava", "ava"},
}

var lastNames = []nameForm{
	{"Müller", "mueller"}, {"Schmidt", "schmidt"}, {"Weber", "weber"}, {"Schneider", "schneider"}, {"Fischer", "fischer"},
	{"Becker", "becker"}, {"Wagner", "wagner"}, {"Hoffmann", "hoffmann"}, {"O'Connor", "oconnor"}, {"Murphy", "murphy"},
	{"Dubois", "dubois"}, {"Martin", "martin"}, {"Bernard", "bernard"}, {"Lefèvre", "lefevre"}, {"Rossi", "rossi"},
	{"Bianchi", "bianchi"}, {"Romano", "romano"}, {"Costa", "costa"}, {"de Vries", "devries"}, {"Jansen", "jansen"},
	{"Bakker", "bakker"}, {"Svensson", "svensson"}, {"Lindqvist", "lindqvist"}, {"Johansson", "johansson"},
	{"Halvorsen", "halvorsen"}, {"Nielsen", "nielsen"}, {"Virtanen", "virtanen"}, {"Yılmaz", "yilmaz"},
	{"Kaya", "kaya"}, {"Al-Sayed", "alsayed"}, {"Haddad", "haddad"}, {"Zielińska", "zielinska"}, {"Kowalski", "kowalski"},
	{"Nowak", "nowak"}, {"Novák", "novak"}, {"Dvořák", "dvorak"}, {"Kim", "kim"}, {"Park", "park"}, {"Lee", "lee"},
	{"Martínez", "martinez"}, {"García", "garcia"}, {"Rodríguez", "rodriguez"}, {"Núñez", "nunez"},
	{"López", "lopez"}, {"Silva", "silva"}, {"Santos", "santos"}, {"Ferreira", "ferreira"}, {"Sharma", "sharma"},
	{"Raman", "raman"}, {"Patel", "patel"}, {"Gupta", "gupta"}, {"Iyer", "iyer"}, {"Tanaka", "tanaka"},
	{"Suzuki", "suzuki"}, {"Sato", "sato"}, {"Wang", "wang"}, {"Zhang", "zhang"}, {"Chen", "chen"}, {"Liu", "liu"},
	{"Mensah", "mensah"}, {"Okafor", "okafor"}, {"Ndlovu", "ndlovu"}, {"Dlamini", "dlamini"}, {"Ivanova", "ivanova"},
	{"Petrov", "petrov"}, {"Papadopoulos", "papadopoulos"}, {"Georgiou", "georgiou"}, {"Brown", "brown"},
	{"Wilson", "wilson"}, {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Taylor", "taylor"},
	{"Anderson", "anderson"}, {"Thomas", "thomas"}, {"Moore", "moore"}, {"Clark", "clark"}, {"Walker", "walker"},
	{"Hall", "hall"}, {"Young", "young"}, {"Wright", "wright"}, {"Nagy", "nagy"}, {"Horváth", "horvath"},
	{"Popescu", "popescu"}, {"Ionescu", "ionescu"}, {"Tran", "tran"}, {"Pham", "pham"}, {"Hassan", "hassan"},
	{"Rahman", "rahman"}, {"Ali", "ali"}, {"Cohen", "cohen"}, {"Levi", "levi"}, {"Moreau", "moreau"},
	{"Laurent", "laurent"}, {"Fournier", "fournier"}, {"Gallagher", "gallagher"}, {"Kelly", "kelly"}, {"Byrne", "byrne"},
}

var guestDomains = []string{"kpmg.com", "deloitte.com", "pwc.com", "accenture.com", "avanade.com", "ey.com",
	"capgemini.com", "partner-it.de"}

// Fixed identities of every Dataverse environment and of the Contoso tenant
// the sample's policy.yaml was written for.
const (
	domain          = "contosopharma.com"
	tenantDomain    = "contosopharma.onmicrosoft.com"
	systemSolution  = "fd140aad-4df4-11dd-bd17-0019b9312238" // the System solution: out-of-box components
	defaultSolution = "fd140aae-4df4-11dd-bd17-0019b9312238" // the Default (unmanaged) solution
	marketingSoln   = "4c6a1d9e-2f0b-4b8e-9a57-3d1e6f0c8b24" // Customer Insights - Journeys, as in samples/contoso
	saProfileID     = "572329c1-a042-4e22-be47-367c6374ea45" // the System Administrator field security profile
	asOf            = "2026-11-20"
)

// svcUsers are the non-interactive integration accounts of samples/contoso's
// policy.yaml (service_users).
var svcUsers = []struct{ full, login string }{
	{"SAP Orders Integration", "svc-sap-orders"}, {"ERP Sync Service", "svc-erp-sync"}, {"Pricing Engine", "svc-pricing"},
	{"Document Generation", "svc-docgen"}, {"Reporting Extract", "svc-reporting"}, {"Teams Notification Bot", "svc-teams-bot"},
	{"Email Archiver", "svc-archiver"}, {"Power BI Refresh", "svc-powerbi"},
}

// marketingAppUsers are the Customer Insights - Journeys service users that
// policy.yaml requires, with their application ids and the roles they hold.
var marketingAppUsers = []struct {
	full, appID string
	roles       []string
}{
	{"D365 Marketing", "1d4f704f-8a30-45f6-a8ad-a874388f6a00", []string{"EventManagement S2SInbound", "LinkedIn LeadGen S2SInbound",
		"Marketing Services User", "Marketing, Business App Access", "Marketing Service user extensible role",
		"Marketing service user real-time role"}},
	{"# Dynamics Marketing Dataverse Datasource", "ead0a32e-a7c3-4475-afc5-c7ae2d7ba9a8", []string{"Service Reader"}},
	{"# Customer Experience Platform PROD", "3e56e0fc-542f-4522-bac1-c7cab1017459", []string{"Cxp Services User"}},
	{"# D365 Dataverse Data", "ca179245-7fe3-4d70-a945-09c79f85cf41", []string{"Cxp Services User"}},
	{"# D365 Experimentation", "729028a7-33d3-428b-b7be-0cff66ad5495", []string{"Cxp Services User"}},
	{"# D365 Interactives", "c88804dd-52b8-4e23-b62d-f0e38f5cef35", []string{"Cxp Services User"}},
	{"# D365 Lifecycle Mgmt", "c5efd687-df01-42cb-a6b6-391f24349886", []string{"Cxp Services User"}},
	{"# D365 Native Segments", "afc9dd19-c23a-4dc8-9fb7-0ad8cec474ff", []string{"Cxp Services User"}},
	{"# D365 Personalization", "db13e196-bc9c-42fe-9c55-12558c3a16fa", []string{"Cxp Content Composition Services"}},
	{"# D365 Sms Channel", "bd3e2b66-87c7-4fb7-90c3-de39038fbb14", []string{"Cxp SMS Services User"}},
	{"# D365 Workflow", "ba069707-8fa6-41af-b08d-2d01a0d731e5", []string{"Cxp Services User"}},
	{"# D365 Landing Forms", "a5e884b3-2cac-4051-8cf3-f0d4df550afd", []string{"Cxp Channels Application User"}},
}

// integrationApps name the other application users (S2S integrations).
var integrationApps = []string{"Contoso Data Integration", "SAP S/4HANA Connector", "Veeva Vault Sync", "DocuSign Connector",
	"Power Automate Flows", "Azure Synapse Link", "Data Export Service", "Adobe Sign", "ServiceNow Bridge",
	"LinkedIn Sales Navigator", "Mailchimp Sync", "Salesforce Migration", "Informatica Cloud", "MuleSoft Runtime",
	"Azure Functions Backend", "Customer Portal", "Partner Portal", "Teams Integration", "Copilot Studio Agent",
	"Dynamics 365 Finance Dual-write"}

// marketingProfiles are the field security profiles policy.yaml requires of
// Customer Insights - Journeys.
var marketingProfiles = []string{"CxpApplicationUser - Mobile app channel instance secrets",
	"CxpApplicationUser - Mobile app secrets", "Marketers - Mobile app channel instance secrets",
	"Marketers - Mobile app secrets", "Customer Journey Orchestration Shared SMS Channels Profile"}

// customProfiles are Contoso's own field security profiles, with the
// attribute-name stems of the columns they open.
var customProfiles = []struct {
	name  string
	stems []string
}{
	{"Contoso Salary Fields", []string{"salary", "bonus"}},
	{"Contoso Payment Bank Details", []string{"iban", "bic", "bankaccount"}},
	{"Contoso HR Sensitive", []string{"nationalid", "dateofbirth", "passport"}},
	{"Contoso Customer Tax IDs", []string{"taxid", "vatnumber"}},
	{"Contoso Pricing Margins", []string{"margin", "floorprice", "discountlimit"}},
	{"Contoso Credit Limits", []string{"creditlimit", "creditscore"}},
	{"Contoso Pharmacovigilance", []string{"patientinitials", "adverseevent"}},
}

// securedColumns are the columns under field security (entity, attribute).
var securedColumns = [][2]string{
	{"systemuser", "contoso_annualsalary"}, {"systemuser", "contoso_bonustarget"}, {"systemuser", "contoso_nationalid"},
	{"systemuser", "contoso_dateofbirth"}, {"systemuser", "contoso_passportnumber"}, {"systemuser", "contoso_salaryband"},
	{"contact", "contoso_nationalid"}, {"contact", "contoso_dateofbirth"}, {"contact", "contoso_passportnumber"},
	{"contact", "contoso_taxid"}, {"contact", "contoso_patientinitials"}, {"account", "contoso_taxid"},
	{"account", "contoso_vatnumber"}, {"account", "contoso_creditlimit"}, {"account", "contoso_creditscore"},
	{"account", "contoso_iban"}, {"account", "contoso_bic"}, {"account", "contoso_bankaccountholder"},
	{"opportunity", "contoso_margin"}, {"opportunity", "contoso_floorprice"}, {"opportunity", "contoso_discountlimit"},
	{"quote", "contoso_margin"}, {"quote", "contoso_floorprice"}, {"quotedetail", "contoso_margin"},
	{"salesorder", "contoso_margin"}, {"invoice", "contoso_margin"}, {"product", "contoso_floorprice"},
	{"product", "contoso_margin"}, {"contoso_payment", "contoso_iban"}, {"contoso_payment", "contoso_bic"},
	{"contoso_payment", "contoso_bankaccountholder"}, {"contoso_bankaccount", "contoso_iban"},
	{"contoso_bankaccount", "contoso_bic"}, {"contoso_bankaccount", "contoso_bankaccountnumber"},
	{"contoso_creditcheck", "contoso_creditscore"}, {"contoso_creditcheck", "contoso_creditlimit"},
	{"contoso_commission", "contoso_salary"}, {"contoso_commission", "contoso_bonusamount"},
	{"contoso_adverseevent", "contoso_patientinitials"}, {"contoso_adverseevent", "contoso_adverseeventnarrative"},
	{"contoso_medicalinquiry", "contoso_patientinitials"}, {"contoso_investigator", "contoso_nationalid"},
	{"contoso_investigator", "contoso_taxid"}, {"lead", "contoso_creditscore"}, {"incident", "contoso_patientinitials"},
	{"msdynmkt_mobileapp", "msdynmkt_apikey"}, {"msdynmkt_mobileapp", "msdynmkt_appsecret"},
	{"msdynmkt_mobileappchannelinstance", "msdynmkt_apikey"}, {"msdynmkt_mobileappchannelinstance", "msdynmkt_secret"},
	{"msdynmkt_smsprovider", "msdynmkt_authtoken"}, {"msdynmkt_smsprovider", "msdynmkt_accountsid"},
}

// oobRoleTemplates are the out-of-box roles with their constant
// roletemplateid (dataverse-security.md 5.1).
var oobRoleTemplates = []struct{ name, template string }{
	{"System Administrator", "627090ff-40a3-4053-8790-584edc5be201"},
	{"System Customizer", "119f245c-3cc8-4b62-b31c-d1a046ced15d"},
	{"Support User", "2d101bb3-5ced-4122-83f1-94d5efde4e3b"},
	{"Delegate", "d892cc0b-28c7-4e88-bd92-72f2c366baed"},
	{"Basic User", "236750cd-45ae-4939-ab12-b24b920ced93"},
	{"CEO-Business Manager", "85937b6b-91a1-46ed-9778-929fc9f61812"},
	{"Vice President of Sales", "29123793-6ae5-4955-9f1a-f10ceb9705f1"},
	{"Sales Manager", "c0ed2f4f-6f92-4691-92ba-78f2931e8fba"},
	{"Salesperson", "a4be89ff-7c35-4d69-9900-999c3f603e6f"},
	{"Customer Service Representative", "ecfd0b44-5720-45e3-ae68-417ddb0fb654"},
	{"CSR Manager", "1808b939-dd07-4ca7-aa99-ddd2734378f1"},
	{"Marketing Professional", "09a25608-d28b-4d47-b57c-79271fe6a525"},
	{"Schedule Manager", "debec338-bca7-4882-ae04-84e6ddda2984"},
	{"Vice President of Marketing", "6caba073-59a8-4d6b-8e7b-4ccb50c5166b"},
	{"Marketing Manager", "d9d602db-2761-4170-877f-983494567c08"},
	{"Scheduler", "dcd60b89-421c-44ae-bff0-dd6323df885c"},
	{"Knowledge Manager", "b4b40b17-cf37-4ea8-b2c5-b580f2f48654"},
}

// Managed roles without a template: the platform's and Customer Insights -
// Journeys' (as in samples/contoso).
var (
	platformRoles  = []string{"Environment Maker", "App Opener", "Service Reader", "Service Writer", "Service Deleted", "Office Collaborator"}
	marketingRoles = []string{"Marketing Services User", "Marketing, Business App Access", "EventManagement S2SInbound",
		"LinkedIn LeadGen S2SInbound", "Marketing Service user extensible role", "Marketing service user real-time role",
		"Marketing Professional - Business", "Marketing Manager - Business", "Marketing Professional (BU level) - Business",
		"Marketing Manager (BU level) - Business", "Lead Score Modeler", "Lead Score Viewer", "Cxp Services User",
		"Cxp Channels Application User", "Cxp SMS Services User", "Cxp Content Composition Services"}
)

// customRoleNames are the pool Contoso's own roles are drawn from, with the
// area each works in. "Contoso Integration" is always created: the
// integration accounts hold it.
var customRoleNames = []struct{ name, area string }{
	{"Contoso Integration", areaCustom}, {"Contoso Sales Rep", areaSales}, {"Contoso Key Account Manager", areaSales},
	{"Contoso Sales Operations", areaSales}, {"Contoso Tender Manager", areaSales}, {"Contoso Pricing Analyst", areaSales},
	{"Contoso Sales Director", areaSales}, {"Contoso Inside Sales", areaSales}, {"Contoso Legacy Quote Approver", areaSales},
	{"Contoso Team Sales Access", areaSales}, {"Contoso Commission Admin", areaSales}, {"Contoso Service Agent", areaService},
	{"Contoso Service Supervisor", areaService}, {"Contoso Medical Information", areaService},
	{"Contoso Complaint Handler", areaService}, {"Contoso Pharmacovigilance", areaService},
	{"Contoso Recall Coordinator", areaService}, {"Contoso Team Service Access", areaService},
	{"Contoso Marketing Analyst", areaMarketing}, {"Contoso Event Manager", areaMarketing},
	{"Contoso Campaign Approver", areaMarketing}, {"Contoso Finance Approver", areaFinance},
	{"Contoso Payment Creator", areaFinance}, {"Contoso Budget Owner", areaFinance}, {"Contoso Credit Controller", areaFinance},
	{"Contoso Expense Reviewer", areaFinance}, {"Contoso Treasury", areaFinance}, {"Contoso Auditor", areaCore},
	{"Contoso Data Steward", areaCore}, {"Contoso Read Only", areaCore}, {"Contoso Regional Manager", areaCore},
	{"Contoso Country Manager", areaCore}, {"Contoso Executive Dashboard", areaCore}, {"Contoso Field Technician", areaField},
	{"Contoso Dispatcher", areaField}, {"Contoso Field Manager", areaField}, {"Contoso Inventory Clerk", areaField},
	{"Contoso Project Manager", areaField}, {"Contoso Regulatory Affairs", areaCustom}, {"Contoso Clinical Operations", areaCustom},
	{"Contoso Quality Assurance", areaCustom}, {"Contoso Supply Chain", areaCustom}, {"Contoso Document Controller", areaCustom},
	{"Contoso Training Coordinator", areaCustom}, {"Contoso Study Manager", areaCustom}, {"Contoso Site Monitor", areaCustom},
	{"Contoso Warehouse Operator", areaCustom}, {"Contoso Supplier Manager", areaCustom}, {"Contoso CRM Admin Light", areaSystem},
	{"Contoso Power Platform Maker", areaSystem}, {"Contoso Security Reviewer", areaSystem},
	{"Contoso Helpdesk", areaSystem}, {"Contoso Release Manager", areaSystem}, {"Contoso Report Author", areaCore},
	{"Contoso Import Specialist", areaCore}, {"Contoso Bulk Data Loader", areaCore}, {"Contoso Legacy Migration", areaCore},
	{"Contoso Temp Contractor", areaCore}, {"Contoso Partner Access", areaSales}, {"Contoso Portal Admin", areaSystem},
	{"Contoso Copilot Users", areaCore}, {"Contoso Teams Collaboration", areaCore},
}
