package export

import "testing"

// The $select lists come from the ingest schema; these are the requests
// docs/EXPORT.md documents, which must not drift.
func TestDataverseQueries(t *testing.T) {
	want := []string{
		"businessunits?$select=businessunitid,name,_parentbusinessunitid_value",
		"systemusers?$select=systemuserid,domainname,fullname,internalemailaddress,_businessunitid_value,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,islicensed,invitestatuscode,createdon,_parentsystemuserid_value,_positionid_value,title",
		"roles?$select=roleid,name,_businessunitid_value,_parentrootroleid_value,_roletemplateid_value,ismanaged,isinherited,iscustomizable,modifiedon,overwritetime,solutionid,componentstate",
		"privileges?$select=privilegeid,name,accessright,canbebasic,canbelocal,canbedeep,canbeglobal",
		"roleprivilegescollection?$select=roleid,privilegeid,privilegedepthmask",
		"systemuserrolescollection?$select=systemuserid,roleid",
		"teams?$select=teamid,name,teamtype,_businessunitid_value,azureactivedirectoryobjectid,membershiptype,isdefault",
		"teammemberships?$select=teamid,systemuserid",
		"teamrolescollection?$select=teamid,roleid",
		"fieldsecurityprofiles?$select=fieldsecurityprofileid,name",
		"fieldpermissions?$select=_fieldsecurityprofileid_value,entityname,attributelogicalname,canread,cancreate,canupdate",
		"systemuserprofilescollection?$select=systemuserid,fieldsecurityprofileid",
		"teamprofilescollection?$select=teamid,fieldsecurityprofileid",
		"organizations?$select=name,orgdborgsettings",
	}
	if len(dataverseTables) != len(want) {
		t.Fatalf("%d tables, want %d", len(dataverseTables), len(want))
	}
	for i, tb := range dataverseTables {
		if tb.Query != want[i] {
			t.Errorf("%s: query\n  %s\nwant\n  %s", tb.Name, tb.Query, want[i])
		}
	}
}
